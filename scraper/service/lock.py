"""One embedded service per SQLite store: an exclusive lock on a file beside the database."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from scraper.errors import ServiceError

LOCK_SUFFIX = ".service.lock"


def sqlite_path(db_url: str) -> Path | None:
    """The database file of a SQLite URL, or None for other engines and in-memory databases."""
    if not db_url.startswith("sqlite"):
        return None
    _, _, rest = db_url.partition(":///")
    database = rest.split("?", 1)[0]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


class ServiceLock:
    """Held while a service runs on a SQLite store; a second `scraper run` is refused."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + LOCK_SUFFIX)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ServiceError naming the process that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            # flock dies with the process, so a killed service never leaves a stale lock
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ServiceError(
                f"another `scraper run` (pid {holder}) is already serving this store; "
                "stop it first, or use PostgreSQL with --dispatch and workers to run several",
                url=str(self.path.with_name(self.path.name[: -len(LOCK_SUFFIX)])),
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Give the lock back."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ServiceLock:
        self.acquire()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
