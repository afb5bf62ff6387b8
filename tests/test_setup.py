"""The set-up on any machine (issue 24): ``.ci/setup`` makes the ``.venv`` with ``$PYTHON``
or the newest Python 3.11 or newer it finds (``.ci/pick-python``), never a hard-coded
``python3.11``; the distribution has a name of its own on PyPI."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PICK = ROOT / ".ci" / "pick-python"


def fake_python(bin_dir: Path, name: str, minor: int) -> Path:
    """A stand-in ``python3.N`` that answers the version check as that Python would."""
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n[ {minor} -ge 11 ] && exit 0 || exit 1\n")
    path.chmod(0o755)
    return path


def pick(bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": str(bin_dir), "HOME": str(bin_dir / "home"), **env}
    return subprocess.run(
        ["/bin/bash", str(PICK)], env=clean, capture_output=True, text=True, timeout=30
    )


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_the_newest_python_found_is_taken(tmp_path: Path) -> None:
    for minor in (10, 11, 12, 13):
        fake_python(tmp_path, f"python3.{minor}", minor)
    done = pick(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "python3.13")


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_only_3_12_is_enough(tmp_path: Path) -> None:
    """A machine with 3.12 alone (no python3.11) sets up: the old setup failed there."""
    fake_python(tmp_path, "python3.12", 12)
    done = pick(tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == str(tmp_path / "python3.12")


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_python_names_the_one_to_use(tmp_path: Path) -> None:
    for minor in (11, 13):
        fake_python(tmp_path, f"python3.{minor}", minor)
    chosen = fake_python(tmp_path, "my-python", 11)
    done = pick(tmp_path, PYTHON=str(chosen))
    assert done.returncode == 0 and done.stdout.strip() == str(chosen)
    old = fake_python(tmp_path, "old-python", 10)
    refused = pick(tmp_path, PYTHON=str(old))
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"setup: PYTHON={old} is not a Python 3.11 or newer that runs"


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_no_python_recent_enough_is_one_line_and_exit_2(tmp_path: Path) -> None:
    fake_python(tmp_path, "python3.10", 10)
    done = pick(tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "needs Python 3.11 or newer" in done.stderr


def test_setup_hard_codes_no_python() -> None:
    setup = (ROOT / ".ci" / "setup").read_text()
    assert "python3.11" not in setup and "pick-python" in setup
    assert os.access(PICK, os.X_OK)


def test_the_distribution_is_not_pypis_newsbot() -> None:
    """``newsbot`` on PyPI is an unrelated project: no install line may point to it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "newsbot-naver"
    assert project["scripts"] == {"newsbot": "newsbot.__main__:entry"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'install "newsbot[' not in readme and "install newsbot" not in readme


def test_every_package_of_newsbot_is_in_the_distribution() -> None:
    """Scrapyd runs newsbot from an egg built with the explicit package list of
    pyproject.toml: a sub-package missing from it is missing from the egg."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(data["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "newsbot").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    assert found <= listed, sorted(found - listed)
