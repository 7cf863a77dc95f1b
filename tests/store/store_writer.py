"""Subprocess used by the crash and concurrency tests: writes articles and reports progress on stdout.

python tests/store/store_writer.py DB_URL single N    save articles 0..N-1 one transaction each
python tests/store/store_writer.py DB_URL batch N     the same through save_articles (batches)
python tests/store/store_writer.py DB_URL rounds N R  R rounds rewriting all N titles, one transaction each
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scraper.store import Store, ToSave
from tests.store.factories import make_article, page

BATCH = 25


def crash_article(i: int, title_suffix: str = "") -> ToSave:
    """Return article i of the crash run, with a raw page big enough to span many database pages."""
    art = make_article(
        i, title=f"Article {i}{title_suffix}", body="\n".join(f"Paragraph {j} of {i}." for j in range(60))
    )
    html = page(art) + b"<!--" + bytes(f"filler {i} ", "ascii") * 3000 + b"-->"
    return ToSave(art, raw_html=html, guid=f"urn:{i}")


def main() -> None:
    """Run one of the modes above."""
    db_url, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store.open(db_url)
    if mode == "single":
        for i in range(n):
            item = crash_article(i)
            store.save_article(item.article, raw_html=item.raw_html, guid=item.guid)
            print(f"saved {i}", flush=True)
    elif mode == "batch":
        for start in range(0, n, BATCH):
            results = store.save_articles([crash_article(i) for i in range(start, min(n, start + BATCH))])
            assert all(r.error is None for r in results), results
            print(f"saved {start + len(results) - 1}", flush=True)
    elif mode == "rounds":
        for r in range(int(sys.argv[4])):
            # one transaction per round: a reader must see every title of one round, never a mix
            results = store.save_articles([crash_article(i, f" round {r}") for i in range(n)])
            assert all(res.error is None for res in results)
            print(f"round {r}", flush=True)
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
