"""Store benchmark: insert, unchanged refetch, JSONL export (speed, peak memory), storage per version.

Run by hand:  python tests/bench/store_bench.py [--n 100000] [--engine sqlite|postgres|both] [--keep]
Targets (issue "versioned snapshot store"): insert >= 2,000 articles/s, unchanged refetch >= 5,000/s,
export >= 50 MB/s with peak RSS < 200 MB, raw HTML + text <= 30% of the uncompressed HTML.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from scraper.export import export_articles  # noqa: E402
from scraper.models import Article, FetchResult  # noqa: E402
from scraper.store import Store, ToSave  # noqa: E402
from scraper.store.schema import article_versions, blobs  # noqa: E402

SEED_FILE = Path("/work/shared/seeds/000_93e128b5715a540a.txt")
BATCH = 500  # articles handed to save_articles at once
BODY_MIN_BYTES, BODY_MAX_BYTES = 3_000, 8_000
RELATED_LINKS = 40  # per-page "related articles" list: real pages carry a lot of varying chrome
NON_ASCII_SHARE = 0.7  # real English news text is mostly not pure ASCII (’ “ ” —); JSON-encodes slower
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SOURCES = ("chipweek", "mining-daily", "energy-wire", "fab-news", "hw-journal")

_FALLBACK_TEXT = (
    "Bitmain Technologies, the world's largest manufacturer of crypto mining hardware, plans to open its "
    "first US facility in the coming months. The new headquarters and assembly line will be located in "
    "either Texas or Florida, with initial output expected in early 2026."
)


def _vocabulary() -> tuple[list[str], list[float]]:
    """Return words with Zipf-like cumulative weights (real text repeats its common words)."""
    text = SEED_FILE.read_text(encoding="utf-8") if SEED_FILE.exists() else _FALLBACK_TEXT
    seen: dict[str, None] = dict.fromkeys(w.strip('.,"()') for w in text.split() if w.strip('.,"()'))
    words = list(seen)
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    # a long tail of rarer words: names, figures, jargon
    words += ["".join(rng.choices(letters, k=rng.randint(4, 11))) for _ in range(6000)]
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cum.append(total)
    return words, cum


WORDS, CUM = _vocabulary()


def _sentence(rng: random.Random) -> str:
    """Return one sentence of Zipf-distributed words."""
    n = rng.randint(8, 28)
    picks = [WORDS[bisect.bisect(CUM, rng.random() * CUM[-1])] for _ in range(n)]
    return " ".join(picks).capitalize() + "."


def _body(rng: random.Random) -> str:
    """Return an article body of 3-8 KB, one paragraph per line; most carry typographic punctuation."""
    target = rng.randint(BODY_MIN_BYTES, BODY_MAX_BYTES)
    typographic = rng.random() < NON_ASCII_SHARE
    paras: list[str] = []
    size = 0
    while size < target:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        if typographic:
            para = para.replace(" is ", " is “", 1).replace(" of ", "” of ", 1).replace(" and ", " — and ", 1)
        paras.append(para)
        size += len(para) + 1
    return "\n".join(paras)


_CSS = "\n".join(
    f".c{i}{{margin:{i % 7}px {i % 5}px;padding:{i % 3}em;color:#{(i * 99991) % 0xFFFFFF:06x};"
    f"font:{12 + i % 6}px/1.{i % 9} Georgia,serif}}"
    for i in range(260)
)
_SCRIPT = "\n".join(
    f"window.__cfg_{i}={{slot:'div-gpt-ad-{i}',sizes:[[300,250],[728,90]],targeting:{{sec:'news',pos:{i}}}}};"
    for i in range(120)
)
_NAV = "".join(f'<li class="nav-item"><a href="/section/{w}">{w.title()}</a></li>' for w in WORDS[:80])
_FOOTER = "".join(f'<a class="footer-link" href="/about/{w}">{w}</a>' for w in WORDS[80:200])


_REAL_PAGES: list[bytes] = []


def load_real_pages(folder: Path) -> None:
    """Use real saved pages (*.html or *.html.gz) as the raw HTML instead of the synthetic template."""
    for path in sorted(folder.rglob("*.htm*")):
        data = path.read_bytes()
        _REAL_PAGES.append(gzip.decompress(data) if path.suffix == ".gz" else data)
    if not _REAL_PAGES:
        raise SystemExit(f"no *.html or *.html.gz pages under {folder}")


def make_page(i: int, refetch: int = 0) -> tuple[Article, bytes, FetchResult]:
    """Return article i (deterministic), its raw HTML (ads/tokens vary with `refetch`) and fetch."""
    rng = random.Random(i)
    source = SOURCES[i % len(SOURCES)]
    slug = "-".join(_sentence(rng).lower().rstrip(".").split()[:6])
    url = f"https://www.{source}.example/{2025 - i % 3}/{i % 12 + 1:02d}/{slug}-{i}"
    title = _sentence(rng).rstrip(".")
    body = _body(rng)
    authors = [f"{WORDS[rng.randint(100, 5000)].title()} {WORDS[rng.randint(100, 5000)].title()}"]
    published = f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00"
    related = "".join(
        f'<li><a href="/{rng.randint(1, 10**6)}">{_sentence(rng)[:70]}</a>'
        f"<time>{rng.randint(1, 59)} min ago</time></li>"
        for _ in range(RELATED_LINKS)
    )
    token = uuid.UUID(int=random.Random(i * 1000 + refetch).getrandbits(128)).hex
    paras = "".join(f"<p>{p}</p>\n" for p in body.split("\n"))
    html = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title} | {source}</title>"
        f'<link rel=canonical href="{url}"><meta property="og:url" content="{url}">'
        f"<style>{_CSS}</style><script>{_SCRIPT}</script>"
        f'<script>var csrf="{token}";var ts={1_700_000_000 + refetch * 3600 + i};</script></head>'
        f'<body><header><nav><ul>{_NAV}</ul></nav></header><main><article><h1 class="headline">{title}</h1>'
        f'<div class="byline">{authors[0]}</div><time datetime="{published}">{published}</time>'
        f'<div class="ad" data-ad="{token[:8]}"></div>{paras}</article>'
        f'<aside><ul class="related">{related}</ul></aside></main><footer>{_FOOTER}</footer></body></html>'
    ).encode()
    if _REAL_PAGES:
        # a real page, made unique per article and per fetch the way ads and tokens do
        html = _REAL_PAGES[i % len(_REAL_PAGES)] + f"<!-- {url} {token} -->".encode()
    article = Article(
        url=url + f"?utm_source=rss&utm_campaign={refetch}",
        canonical_url=url,
        source=source,
        title=title,
        description=_sentence(rng),
        authors=authors,
        published=published,
        language="en",
        site_name=source,
        tags=[source.split("-")[0], "industry"],
        body=body,
        word_count=len(body.split()),
        fetched_at=f"2026-01-{1 + refetch:02d}T00:00:00+00:00",
        provenance={"title": "meta:og", "body": "heuristic", "published": "time-element"},
    )
    fetch = FetchResult(url=url, final_url=url, status=200, outcome="ok", etag=f'"{token[:16]}"')
    return article, html, fetch


def _batches(n: int, refetch: int) -> Iterator[tuple[list[ToSave], int]]:
    """Yield batches of pages to save with their raw HTML byte count."""
    for start in range(0, n, BATCH):
        items, size = [], 0
        for i in range(start, min(n, start + BATCH)):
            art, html, fetch = make_page(i, refetch)
            items.append(ToSave(art, raw_html=html, fetch=fetch))
            size += len(html)
        yield items, size


def _save_all(store: Store, n: int, refetch: int) -> tuple[float, float, int, int]:
    """Save n pages; return (wall seconds and CPU seconds spent in the store, new versions, HTML bytes)."""
    spent, cpu, created, html_bytes = 0.0, 0.0, 0, 0
    for items, size in _batches(n, refetch):
        t0, c0 = time.perf_counter(), time.process_time()
        results = store.save_articles(items)
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
        errors = [r.error for r in results if r.error]
        if errors:
            raise SystemExit(f"save failed: {errors[0]}")
        created += sum(r.created for r in results)
        html_bytes += size
    # the insert is done when the search index has every version too (SQLite indexes on a thread)
    t0, c0 = time.perf_counter(), time.process_time()
    store.sync_search()
    spent += time.perf_counter() - t0
    cpu += time.process_time() - c0
    return spent, cpu, created, html_bytes


def _single_saves(store: Store, n: int, offset: int) -> tuple[float, float]:
    """Save n new pages with save_article (one transaction each); return articles per wall and CPU second."""
    spent, cpu = 0.0, 0.0
    for i in range(offset, offset + n):
        art, html, fetch = make_page(i)
        t0, c0 = time.perf_counter(), time.process_time()
        store.save_article(art, raw_html=html, fetch=fetch)
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    store.sync_search()
    spent += time.perf_counter() - t0
    cpu += time.process_time() - c0
    return n / spent, n / cpu


def export_child(db_url: str, out: str) -> None:
    """Child process: export latest versions as JSONL, print seconds and bytes as JSON."""
    store = Store.open(db_url)  # migrate: another engineer's new revision may have landed mid-run
    t0, c0 = time.perf_counter(), time.process_time()
    count = export_articles(store, out, fmt="jsonl")
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the forking parent's size
    status = Path("/proc/self/status").read_text()
    peak_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    size = os.path.getsize(out)
    print(json.dumps({"count": count, "seconds": secs, "cpu": cpu, "bytes": size, "peak_kib": peak_kib}))


def _storage(store: Store) -> tuple[int, int]:
    """Return (compressed raw HTML bytes, compressed body bytes) stored."""
    with store.engine.connect() as conn:
        raw = conn.execute(select(func.coalesce(func.sum(func.length(blobs.c.data)), 0))).scalar_one()
        text = conn.execute(
            select(func.coalesce(func.sum(func.length(article_versions.c.body_z)), 0))
        ).scalar_one()
    return int(raw), int(text)


class _NoSearch:
    """Stand-in for the full-text index, to tell the store's own cost from the search indexing's."""

    def update(self, conn: object, docs: object) -> None:
        """Index nothing."""


def run(engine: str, n: int, keep: bool, search: bool = True) -> dict[str, float]:
    """Run every phase on one engine; return the figures."""
    workdir = Path(tempfile.mkdtemp(prefix="store-bench-"))
    admin = None
    if engine == "sqlite":
        db_url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        import psycopg

        name = f"scraper_bench_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    figures: dict[str, float] = {"n": n}
    try:
        store = Store.open(db_url)
        if not search:
            store._search = _NoSearch()  # type: ignore[assignment]
            store.search_file = None
        secs, cpu, created, html_bytes = _save_all(store, n, refetch=0)
        assert created == n, f"expected {n} new versions, got {created}"
        figures["insert_per_s"] = n / secs
        figures["insert_per_cpu_s"] = n / cpu
        secs, cpu, created, _ = _save_all(store, n, refetch=1)
        assert created == 0, f"unchanged refetch wrote {created} versions"
        figures["refetch_per_s"] = n / secs
        figures["refetch_per_cpu_s"] = n / cpu
        single_n = max(100, n // 50)
        figures["single_insert_per_s"], figures["single_per_cpu_s"] = _single_saves(store, single_n, offset=n)
        raw, text = _storage(store)
        single_html = sum(len(make_page(i)[1]) for i in range(n, n + single_n))
        figures["html_mb"] = (html_bytes + single_html) / 1e6
        figures["avg_page_kb"] = (html_bytes + single_html) / (n + single_n) / 1e3
        figures["storage_pct"] = 100.0 * (raw + text) / (html_bytes + single_html)
        store.close()
        out = workdir / "export.jsonl"
        child = subprocess.run(
            [sys.executable, __file__, "--export-child", db_url, str(out)],
            check=False,
            capture_output=True,
            text=True,
        )
        if child.returncode != 0:
            raise SystemExit(f"export child failed:\n{child.stderr}")
        exp = json.loads(child.stdout)
        figures["export_mb_per_s"] = exp["bytes"] / 1e6 / exp["seconds"]
        figures["export_mb_per_cpu_s"] = exp["bytes"] / 1e6 / exp["cpu"]
        figures["export_mb"] = exp["bytes"] / 1e6
        figures["export_peak_rss_mb"] = exp["peak_kib"] / 1024
        if engine == "sqlite":
            # the database with its WAL, and its search index file (bench.search.db)
            figures["db_file_mb"] = sum(p.stat().st_size for p in workdir.glob("bench.*db*")) / 1e6
    finally:
        if admin is not None and not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        if not keep:
            for p in itertools.chain(workdir.glob("*"), [workdir]):
                if p.is_file():
                    p.unlink()
            workdir.rmdir()
        else:
            print(f"kept: {db_url}")
    return figures


def main() -> None:
    """Parse arguments and print a table of figures per engine."""
    if len(sys.argv) == 4 and sys.argv[1] == "--export-child":
        export_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="articles to insert (default 100000)")
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--no-search", action="store_true", help="skip full-text indexing (store's own cost)")
    parser.add_argument("--real-html", type=Path, help="folder of real pages (*.html, *.html.gz)")
    args = parser.parse_args()
    if args.real_html:
        load_real_pages(args.real_html)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    load = os.getloadavg()[0]
    results = {e: run(e, args.n, args.keep, search=not args.no_search) for e in engines}
    keys = list(next(iter(results.values())))
    # Rates per CPU second are this process's own work; wall rates suffer when the machine is shared.
    print(f"load average at start: {load:.1f} on {os.cpu_count()} CPUs; after: {os.getloadavg()[0]:.1f}")
    print(f"{'metric':<22}" + "".join(f"{e:>14}" for e in engines))
    for key in keys:
        print(f"{key:<22}" + "".join(f"{results[e].get(key, float('nan')):>14.1f}" for e in engines))


if __name__ == "__main__":
    main()
