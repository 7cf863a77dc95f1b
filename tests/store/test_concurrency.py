"""An export running while another process writes sees one consistent snapshot."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from scraper.export import export_articles
from scraper.store import Store

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("store_writer.py")
ARTICLES = 60
ROUNDS = 40
EXPORTS = 15


def test_export_during_writes_is_a_consistent_snapshot(db_url: str) -> None:
    Store.open(db_url).close()
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), db_url, "rounds", str(ARTICLES), str(ROUNDS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "round 0"  # the first round is committed: exports start now
    store = Store.open(db_url, migrate=False)
    try:
        for _ in range(EXPORTS):
            out = io.StringIO()
            count = export_articles(store, out, fmt="jsonl", fields=["title", "version"])
            records = [json.loads(line) for line in out.getvalue().splitlines()]
            rounds = {r["title"].rsplit(" round ", 1)[1] for r in records}
            versions = {r["version"] for r in records}
            # one writer transaction per round: a torn read would mix two rounds
            assert count == ARTICLES and len(rounds) == 1 and len(versions) == 1, (rounds, versions)
    finally:
        store.close()
        out_rest, err = proc.communicate()
    assert proc.returncode == 0, err
    assert out_rest.rstrip().endswith("done")
    final = Store.open(db_url, migrate=False)
    titles = {r["title"] for r in final.iter_latest(fields=["title"])}
    final.close()
    assert {t.rsplit(" round ", 1)[1] for t in titles} == {str(ROUNDS - 1)}


def test_same_new_article_from_two_threads_is_one_article(db_url: str) -> None:
    import threading

    from tests.store.factories import make_article

    store = Store.open(db_url)
    rounds, workers = 8, 4
    errors: list[BaseException] = []
    results: list[tuple[int, bool, bool]] = []
    for r in range(rounds):
        barrier = threading.Barrier(workers)

        def save(r: int = r, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                res = store.save_article(make_article(100 + r))
                results.append((r, res.created, res.new_article))
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=save) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for r in range(rounds):
        mine = [(created, new) for rr, created, new in results if rr == r]
        assert sorted(mine) == [(False, False)] * (workers - 1) + [(True, True)], mine
    assert len(list(store.iter_latest(fields=["version"]))) == rounds
    store.close()
