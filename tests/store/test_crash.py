"""A writer killed with SIGKILL mid-run leaves a consistent store; the next run completes it once."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scraper.store import Store, compression

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("store_writer.py")
ARTICLES = 500
KILLS = 3


def _start_writer(db_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), db_url, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _kill_after(proc: subprocess.Popen[str], lines: int) -> int:
    """SIGKILL the writer once it has reported `lines` saves; return the last index it reported."""
    assert proc.stdout is not None
    last = -1
    for _ in range(lines):
        line = proc.stdout.readline()
        if not line.startswith("saved "):
            break
        last = int(line.split()[1])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return last


def check_consistent(db_url: str) -> tuple[int, int]:
    """Assert every structural invariant of the store; return (articles, versions)."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        orphans = {
            "version without article": "SELECT count(*) FROM article_versions v "
            "LEFT JOIN articles a ON a.id = v.article_id WHERE a.id IS NULL",
            "article without latest version": "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 "
            "FROM article_versions v WHERE v.article_id = a.id AND v.version = a.latest_version)",
            "version newer than latest": "SELECT count(*) FROM article_versions v "
            "JOIN articles a ON a.id = v.article_id WHERE v.version > a.latest_version",
            "version without its blob": "SELECT count(*) FROM article_versions v LEFT JOIN blobs b "
            "ON b.sha256 = v.raw_sha256 WHERE v.raw_sha256 IS NOT NULL AND b.sha256 IS NULL",
            "url without article": "SELECT count(*) FROM article_urls u "
            "LEFT JOIN articles a ON a.id = u.article_id WHERE a.id IS NULL",
        }
        for what, sql in orphans.items():
            assert conn.execute(text(sql)).scalar() == 0, what
        for sha, data, size in conn.execute(text("SELECT sha256, data, size FROM blobs")):
            raw = compression.decompress(bytes(data))
            assert len(raw) == size and hashlib.sha256(raw).hexdigest() == sha, "half-written blob"
        articles = conn.execute(text("SELECT count(*) FROM articles")).scalar()
        versions = conn.execute(text("SELECT count(*) FROM article_versions")).scalar()
    engine.dispose()
    return int(articles), int(versions)


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_sigkill_leaves_store_consistent_and_rerun_completes(db_url: str, mode: str) -> None:
    Store.open(db_url).close()  # migrate first, so kills land in article writes
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for attempt in range(KILLS):
        proc = _start_writer(db_url, mode, str(ARTICLES))
        want = rng.randint(1, ARTICLES // (25 if mode == "batch" else 1) - 1)
        last = _kill_after(proc, want)
        assert proc.returncode == -signal.SIGKILL, f"seed {seed}: writer ended before the kill"
        articles, versions = check_consistent(db_url)
        # everything reported saved is there; nothing is there twice
        assert articles >= last + 1, f"seed {seed}, kill {attempt}: lost committed articles"
        assert versions == articles, f"seed {seed}, kill {attempt}: duplicate versions"
    proc = _start_writer(db_url, mode, str(ARTICLES))
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert out.rstrip().endswith("done")
    assert check_consistent(db_url) == (ARTICLES, ARTICLES)
    store = Store.open(db_url, migrate=False)
    assert [r["version"] for r in store.iter_latest(fields=["version"])] == [1] * ARTICLES
    # the search index ends complete too (on SQLite a file of its own, written on a thread the kills hit)
    store.sync_search()
    if store.search_file is not None:
        with closing(sqlite3.connect(store.search_file.path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM article_search").fetchone()[0] == ARTICLES
    else:
        with store.engine.connect() as pg:
            assert pg.execute(text("SELECT count(*) FROM article_search")).scalar() == ARTICLES
    store.close()
