"""Measure date accuracy, title and author match of the metadata/date extractors on the bench corpora."""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.dates import extract_dates
from scraper.extract.metadata import extract_metadata

BENCH_DIR = Path("/work/shared/bench")
CHARSET_SNIFF_BYTES = 4096
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode(raw: bytes) -> str:
    """Decode page bytes: BOM, then meta charset in the first 4 KB, else UTF-8 with replacement."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    m = _CHARSET_RE.search(raw[:CHARSET_SNIFF_BYTES])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return raw.decode("utf-8", "replace")


def norm(text: str | None) -> str:
    """Collapse whitespace and normalise Unicode for comparison."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def load(corpus: str, bench: Path = BENCH_DIR) -> list[tuple[str, dict[str, object], str]]:
    """Return (file, label, html) for every page of a corpus."""
    base = bench / corpus
    labels = json.loads((base / "labels.json").read_text())
    return [
        (name, label, decode(gzip.decompress((base / "pages" / f"{name}.gz").read_bytes())))
        for name, label in sorted(labels.items())
    ]


def main() -> int:
    """Run the benchmark and print figures and misses."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", default="", help="comma list: dates,body-dates,title,author")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--bench", type=Path, default=BENCH_DIR, help=f"bench folder (default {BENCH_DIR})")
    args = parser.parse_args()
    show = set(args.misses.split(",")) if args.misses else set()
    spent = 0.0
    pages = 0
    for corpus in ("dates", "body"):
        ok = total = t_ok = t_total = a_ok = a_total = t_case = 0
        prov: dict[str, list[int]] = {}
        misses: dict[str, list[str]] = {"date": [], "title": [], "author": []}
        for name, label, html in load(corpus, args.bench):
            tree = LexborHTMLParser(html)
            url = str(label.get("url") or "") or None
            start = time.process_time()
            dates = extract_dates(tree, url)
            meta = extract_metadata(tree, url) if corpus == "body" else None
            spent += time.process_time() - start
            pages += 1
            want = label.get("date")
            if want:
                total += 1
                got = dates.published.date().isoformat() if dates.published else None
                src = dates.provenance.get("published", "none")
                prov.setdefault(src, [0, 0])
                prov[src][1] += 1
                if got == want:
                    ok += 1
                    prov[src][0] += 1
                else:
                    misses["date"].append(f"{name} want={want} got={got} ({src}) {url}")
            if meta is not None and label.get("title"):
                t_total += 1
                if norm(meta.title).casefold() == norm(str(label["title"])).casefold():
                    t_case += 1
                if norm(meta.title) == norm(str(label["title"])):
                    t_ok += 1
                else:
                    want_t = norm(str(label["title"]))
                    misses["title"].append(f"{name}\n   want={want_t!r}\n   got ={meta.title!r}")
            if meta is not None and label.get("author"):
                a_total += 1
                want_a = norm(str(label["author"])).lower()
                got_a = norm(", ".join(meta.authors)).lower()
                if got_a == want_a or (meta.authors and all(norm(a).lower() in want_a for a in meta.authors)):
                    a_ok += 1
                else:
                    misses["author"].append(f"{name} want={label['author']!r} got={meta.authors!r}")
        print(f"[{corpus}] date accuracy {ok}/{total} = {ok / max(total, 1):.3f}")
        print("   by source (ok/total):", {k: f"{v[0]}/{v[1]}" for k, v in sorted(prov.items())})
        if t_total:
            print(f"[{corpus}] title exact {t_ok}/{t_total} = {t_ok / t_total:.3f}", end="")
            print(f" (ignoring case: {t_case / t_total:.3f})")
            print(f"[{corpus}] author match {a_ok}/{a_total} = {a_ok / a_total:.3f}")
        for kind, lines in misses.items():
            key = kind if kind != "date" else ("dates" if corpus == "dates" else "body-dates")
            if key in show or (kind != "date" and kind in show and corpus == "body"):
                for line in lines[: args.limit]:
                    print("  MISS", line)
    print(f"time (CPU): {1000 * spent / pages:.3f} ms/page over {pages} pages (dates + metadata)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
