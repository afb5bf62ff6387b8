"""Job state in ``JOBDIR``: which crawl it is, and which articles it has finished."""

from __future__ import annotations

import json
import sqlite3
import weakref
from pathlib import Path

from newsbot.errors import ConfigError

JOB_NAME = "newsbot-job.sqlite3"


class JobState:
    """Articles this job has finished (written, unchanged, skipped as out of range,
    redirected or deleted), so that a resumed job does not fetch them again — also with
    ``refresh=1``, where the index alone cannot tell."""

    def __init__(self, jobdir: Path, signature: dict[str, object]) -> None:
        jobdir.mkdir(parents=True, exist_ok=True)
        self.path = jobdir / JOB_NAME
        self.resumed = self.path.exists()
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._closer = weakref.finalize(self, self.db.close)  # closed even if never close()d
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS done (id TEXT PRIMARY KEY)")
        wanted = json.dumps(signature, sort_keys=True)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'signature'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('signature', ?)", (wanted,))
        elif row[0] != wanted:
            self.db.close()
            raise ConfigError(
                f"JOBDIR {jobdir} belongs to another crawl ({row[0]}); "
                "use a new JOBDIR or the same arguments"
            )
        self._done = {r[0] for r in self.db.execute("SELECT id FROM done")}

    @property
    def finished_count(self) -> int:
        return len(self._done)

    def is_done(self, key: str) -> bool:
        return key in self._done

    def mark_done(self, key: str) -> None:
        if key not in self._done:
            self._done.add(key)
            self.db.execute("INSERT OR IGNORE INTO done VALUES (?)", (key,))

    def close(self) -> None:
        self._closer()
