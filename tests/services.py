"""Start real server programs (Scrapyd, redis-server, …) for tests, on a free local port.

``start_process`` runs the command in its own process group with its output in a log file,
waits until ``ready()`` says it answers, and returns a handle whose ``stop()`` ends it (and
anything it started) by id: SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS picks it: bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServiceError(RuntimeError):
    """The program exited or did not become ready in time (the message has its log)."""


class ServerProcess:
    """A started program: ``pid``, ``log_path``, ``output()`` and ``stop()``."""

    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        """Everything the program wrote to stdout and stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM the program, SIGKILL it after ``timeout`` seconds; then SIGKILL whatever
        is left of its process group (children it started). Returns its exit status."""
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # its own group: see start_process
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_process(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    *,
    ready: Callable[[], bool],
    timeout: float = 30,
    log_path: Path | None = None,
) -> ServerProcess:
    """Run ``cmd`` in ``cwd`` (stdout and stderr to ``log_path``, default
    ``cwd/<program>.log``) and wait until ``ready()`` is true.

    Raises ``ServiceError`` with the log if the program exits first or is not ready within
    ``timeout`` seconds (it is stopped then).
    """
    log_path = log_path or cwd / f"{Path(cmd[0]).name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches its children
        )
    server = ServerProcess(process, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if not server.running():
            raise ServiceError(
                f"{cmd[0]} exited with status {process.returncode} before it was ready:\n"
                + server.output()[-3000:]
            )
        with contextlib.suppress(OSError):
            if ready():
                return server
        if time.monotonic() > deadline:
            server.stop()
            raise ServiceError(
                f"{cmd[0]} not ready after {timeout:g} s:\n" + server.output()[-3000:]
            )
        time.sleep(0.1)


def start_redis(workdir: Path, port: int, password: str | None = None) -> ServerProcess:
    """An empty redis-server (no persistence) on ``port``, with ``requirepass`` if given."""
    import redis

    program = shutil.which("redis-server")
    assert program, "Debian's redis-server is needed: bash .ci/setup installs it"
    workdir.mkdir(parents=True)
    command = [program, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no"] + (["--requirepass", password] if password else [])
    return start_process(
        command,
        cwd=workdir,
        ready=lambda: bool(redis.Redis(port=port, password=password).ping()),
        timeout=20,
    )
