"""The shared `db_url` fixture: a missing PostgreSQL skips with a reason, or fails under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/store/test_store.py::test_validators_roundtrip"


def _run_without_postgres(ci: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(SCRAPER_TEST_PG_PORT="1", CI=ci, PYTHONPATH=str(ROOT))  # nothing listens on port 1
    return subprocess.run(
        [sys.executable, "-m", "pytest", TARGET, "-rsE", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("ci", "code", "word"), [("", 0, "SKIPPED"), ("true", 1, "ERROR")])
def test_missing_postgres_skips_or_fails_in_ci(ci: str, code: int, word: str) -> None:
    result = _run_without_postgres(ci)
    assert result.returncode == code, result.stdout + result.stderr
    assert word in result.stdout and "PostgreSQL not reachable at postgres@127.0.0.1:1/test" in result.stdout
    assert "1 passed" in result.stdout  # the SQLite half still runs
