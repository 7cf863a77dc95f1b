"""Benchmark the article extractor against trafilatura/htmldate on the labelled corpora (run by hand).

    python tests/bench/extract_bench.py                  # both corpora, ours vs trafilatura/htmldate
    python tests/bench/extract_bench.py --only ours --limit 200 --corpus body --pages 10

Each system runs in its own subprocess so that its pages/s and peak RSS are its own. Metric (see the
bench README): per snippet, whitespace collapsed; a `with` snippet found in the body is a true positive,
missing a false negative; a `without` snippet found is a false positive.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BENCH = Path("../shared/bench")  # relative to the repo root
SYSTEMS = ("ours", "trafilatura")
_WS_RE = re.compile(r"\s+")
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|,|\band\b|\bund\b|&|\|)\s*", re.IGNORECASE)


def collapse(text: str | None) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return _WS_RE.sub(" ", text or "").strip()


def author_names(value: str | list[str] | None) -> set[str]:
    """Split an author field into a set of case- and space-normalised names."""
    if not value:
        return set()
    joined = "; ".join(value) if isinstance(value, list) else value
    return {collapse(n).lower() for n in _AUTHOR_SPLIT_RE.split(joined) if collapse(n)}


def load_corpus(bench: Path, corpus: str, limit: int | None) -> list[tuple[str, dict[str, Any], Path]]:
    """Return (file, label, gzipped page path) for the corpus, sorted by file name."""
    labels = json.loads((bench / corpus / "labels.json").read_text(encoding="utf-8"))
    names = sorted(labels)[:limit] if limit else sorted(labels)
    return [(name, labels[name], bench / corpus / "pages" / f"{name}.gz") for name in names]


def read_page(path: Path) -> bytes:
    """Return the saved page bytes (read one at a time so the corpus does not inflate peak RSS)."""
    return gzip.decompress(path.read_bytes())


def run_ours(pages: list[tuple[str, dict[str, Any], Path]]) -> tuple[list[dict[str, Any]], float, float]:
    """Extract every page with our extractor; return per-page outputs, wall and CPU seconds spent."""
    from scraper.extract import extract_article

    outputs = []
    elapsed = cpu = 0.0
    for _name, label, path in pages:
        data = read_page(path)
        start, cpu_start = time.perf_counter(), time.process_time()
        article = extract_article(data, label.get("url"))
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        outputs.append(
            {
                "body": article.body,
                "title": article.title,
                "authors": article.authors,
                "date": (article.published or "")[:10] or None,
            }
        )
    return outputs, elapsed, cpu


def run_trafilatura(
    pages: list[tuple[str, dict[str, Any], Path]], corpus: str
) -> tuple[list[dict[str, Any]], float, float]:
    """Run trafilatura extract() defaults (body) or htmldate (dates); metadata is read untimed."""
    import trafilatura
    from htmldate import find_date

    outputs = []
    elapsed = cpu = 0.0
    for _name, label, path in pages:
        data = read_page(path)
        url = label.get("url")
        out: dict[str, Any] = {"body": "", "title": None, "authors": [], "date": None}
        start, cpu_start = time.perf_counter(), time.process_time()
        if corpus == "body":
            out["body"] = trafilatura.extract(data, url=url) or ""
        else:
            out["date"] = find_date(data, url=url, extensive_search=True, original_date=True)
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        if corpus == "body":
            meta = trafilatura.extract_metadata(data, default_url=url)
            if meta is not None:
                out["title"] = meta.title
                out["authors"] = [meta.author] if meta.author else []
                out["date"] = meta.date
        outputs.append(out)
    return outputs, elapsed, cpu


def worker(args: argparse.Namespace) -> None:
    """Subprocess entry: run one system on one corpus and print a JSON result line."""
    sys.path.insert(0, str(REPO_ROOT))
    pages = load_corpus(args.bench, args.corpus, args.limit)
    if args.worker == "ours":
        outputs, elapsed, cpu = run_ours(pages)
    else:
        outputs, elapsed, cpu = run_trafilatura(pages, args.corpus)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"outputs": outputs, "elapsed_s": elapsed, "cpu_s": cpu, "peak_rss_mb": peak_kib / 1024}
    print(json.dumps(result))


def score(
    pages: list[tuple[str, dict[str, Any], Path]], outputs: list[dict[str, Any]]
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Return the corpus figures and the per-page snippet misses."""
    tp = fn = fp = tn = 0
    dates_ok = dates_n = titles_ok = titles_n = authors_ok = authors_n = 0
    per_page = []
    for (name, label, _path), out in zip(pages, outputs, strict=True):
        body = collapse(out["body"])
        missing = [s for s in label.get("with", []) if collapse(s) not in body]
        found_bad = [s for s in label.get("without", []) if collapse(s) in body]
        tp += len(label.get("with", [])) - len(missing)
        fn += len(missing)
        fp += len(found_bad)
        tn += len(label.get("without", [])) - len(found_bad)
        per_page.append({"file": name, "url": label.get("url"), "fn": missing, "fp": found_bad})
        if label.get("date"):
            dates_n += 1
            dates_ok += out["date"] == label["date"]
        if label.get("title"):
            titles_n += 1
            titles_ok += collapse(out["title"]) == collapse(label["title"])
        if label.get("author"):
            authors_n += 1
            authors_ok += author_names(out["authors"]) == author_names(label["author"])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = tp + fn + fp + tn
    figures = {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / total if total else 0.0,
        "date_accuracy": dates_ok / dates_n if dates_n else float("nan"),
        "title_match": titles_ok / titles_n if titles_n else float("nan"),
        "author_match": authors_ok / authors_n if authors_n else float("nan"),
        "labelled_dates": dates_n,
        "labelled_titles": titles_n,
        "labelled_authors": authors_n,
    }
    return figures, per_page


def run_system(system: str, corpus: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one system in a fresh subprocess and return its parsed result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", system, "--corpus", corpus]
    cmd += ["--bench", str(args.bench)]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: {system} on {corpus} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Parse options, run the systems, print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=None, help="bench folder (default ../shared/bench)")
    parser.add_argument("--only", choices=SYSTEMS, help="run one system only")
    parser.add_argument("--corpus", choices=("body", "dates", "both"), default="both")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each corpus")
    parser.add_argument("--pages", type=int, default=0, help="list the N worst pages (ours) with snippets")
    parser.add_argument("--worker", choices=SYSTEMS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bench is None:
        args.bench = (REPO_ROOT / DEFAULT_BENCH).resolve()
    if args.worker:
        worker(args)
        return
    corpora = ("body", "dates") if args.corpus == "both" else (args.corpus,)
    systems = (args.only,) if args.only else SYSTEMS
    rows = []
    worst: list[dict[str, Any]] = []
    for corpus in corpora:
        pages = load_corpus(args.bench, corpus, args.limit)
        for system in systems:
            result = run_system(system, corpus, args)
            figures, per_page = score(pages, result["outputs"])
            name = system if system == "ours" or corpus == "body" else "htmldate"
            rows.append((corpus, name, len(pages), figures, result))
            if system == "ours" and corpus == "body":
                worst = per_page
    print(f"bench: {args.bench}")
    header = f"{'corpus':6} {'system':11} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6} "
    header += f"{'date':>6} {'title':>6} {'author':>6} {'pages/s':>8} {'cpu ms':>7} {'peakMB':>7}"
    print(header)
    for corpus, name, n, f, result in rows:
        speed = n / result["elapsed_s"] if result["elapsed_s"] else float("inf")
        cpu_ms = 1000 * result["cpu_s"] / n if n else 0.0
        body_cols = (
            f"{f['precision']:6.3f} {f['recall']:6.3f} {f['f1']:6.3f} {f['accuracy']:6.3f}"
            if corpus == "body"
            else f"{'-':>6} {'-':>6} {'-':>6} {'-':>6}"
        )
        title = f"{f['title_match']:6.3f}" if corpus == "body" else f"{'-':>6}"
        author = f"{f['author_match']:6.3f}" if corpus == "body" else f"{'-':>6}"
        print(
            f"{corpus:6} {name:11} {n:5d} {body_cols} {f['date_accuracy']:6.3f} {title} {author} "
            f"{speed:8.1f} {cpu_ms:7.2f} {result['peak_rss_mb']:7.1f}"
        )
    speeds = {
        (corpus, name): n / result["elapsed_s"] for corpus, name, n, _f, result in rows if result["elapsed_s"]
    }
    if ("body", "ours") in speeds and ("body", "trafilatura") in speeds:
        ratio = speeds[("body", "ours")] / speeds[("body", "trafilatura")]
        cpus = {(corpus, name): result["cpu_s"] for corpus, name, _n, _f, result in rows}
        cpu_ratio = cpus[("body", "trafilatura")] / cpus[("body", "ours")] if cpus[("body", "ours")] else 0.0
        # wall time is what the target names; CPU time is steadier on a shared machine
        print(f"speed ratio on body (ours / trafilatura): {ratio:.1f}x by wall time, {cpu_ratio:.1f}x by CPU")
    if args.pages and worst:
        worst.sort(key=lambda p: len(p["fn"]) + len(p["fp"]), reverse=True)
        for page in worst[: args.pages]:
            if not page["fn"] and not page["fp"]:
                break
            print(f"\n{page['file']} {page['url']}")
            for snippet in page["fn"]:
                print(f"  FN  {collapse(snippet)[:150]}")
            for snippet in page["fp"]:
                print(f"  FP  {collapse(snippet)[:150]}")


if __name__ == "__main__":
    main()
