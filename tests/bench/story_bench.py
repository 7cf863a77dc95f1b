"""Measure the same-story decision (precision, recall) on labelled pairs and story assignment cost at 100k."""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scraper.stories import StoryDoc, StoryIndex, same_story
from scraper.stories.decision import Features, _cosine, _dice, jaccard_estimate
from scraper.stories.signature import NUM_PERM, Signature, token_hash

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "pairs.json"
STORED_ARTICLES = 100_000
TIMED_QUERIES = 2_000
SPREAD_DAYS = 365  # archive span of the realistic scenario
DENSE_DAYS = 3  # stress scenario: the whole archive inside one window
NAME_VOCAB = 100_000
NUMBER_VOCAB = 20_000
WORD_VOCAB = 50_000
# Zipf exponent below 1 so the commonest term is in about a fifth of articles, as "US" or "AI" are;
# at 1.1 the top five names would be in most articles, far more overlap than real news has.
ZIPF_S = 0.75
_MASK_32 = 0xFFFFFFFF


@dataclass
class Counts:
    """Confusion counts of a binary decision."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, decided: bool) -> None:
        """Count one decision."""
        if truth and decided:
            self.tp += 1
        elif decided:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    def line(self) -> str:
        """Return precision, recall and the counts on one line."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        return f"precision {p:.3f}  recall {r:.3f}  (tp {self.tp} fp {self.fp} fn {self.fn} tn {self.tn})"


def load() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Read the labelled fixture: articles by id, and pairs."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {a["id"]: a for a in data["articles"]}, data["pairs"]


def docs_of(articles: dict[str, dict[str, Any]]) -> dict[str, StoryDoc]:
    """Build the matcher's view of every fixture article."""
    return {
        aid: StoryDoc.from_text(a["title"], a["body"], datetime.fromisoformat(a["published_at"]))
        for aid, a in articles.items()
    }


def feature_table(articles: dict[str, dict[str, Any]], pairs: list[dict[str, Any]], split: str) -> None:
    """Print the individual signals of each labelled pair of one split (for tuning on `tune` only)."""
    docs = docs_of(articles)
    for p in pairs:
        if p["split"] != split:
            continue
        a, b = docs[p["a"]], docs[p["b"]]
        fa = Features.of(a.signature, a.title_tokens, a.published_at)
        fb = Features.of(b.signature, b.title_tokens, b.published_at)
        _, score = same_story(a, b)
        print(
            f"{p['n']:3d} same={int(p['same_story'])}"
            f" body={jaccard_estimate(fa.sig.minhash, fb.sig.minhash):.2f}"
            f" title={_dice(fa.title, fb.title):.2f} names={_cosine(fa.sig.names, fb.sig.names):.2f}"
            f" numbers={_cosine(fa.sig.numbers, fb.sig.numbers):.2f}"
            f" dt_h={abs(fa.published_ts - fb.published_ts) / 3600:.0f} score={score:.3f}"
        )


def quality(articles: dict[str, dict[str, Any]], pairs: list[dict[str, Any]]) -> None:
    """Report pairwise precision/recall: labelled pairs by split, all article pairs, index grouping."""
    docs = docs_of(articles)
    by_split: dict[str, Counts] = {"tune": Counts(), "heldout": Counts(), "all": Counts()}
    errors: list[str] = []
    for p in pairs:
        decided, score = same_story(docs[p["a"]], docs[p["b"]])
        for key in (p["split"], "all"):
            by_split[key].add(p["same_story"], decided)
        if decided != p["same_story"]:
            errors.append(
                f"  pair {p['n']} ({p['split']}) {p['a']}~{p['b']} label={p['same_story']} score={score:.3f}"
            )
    print(f"labelled pairs ({len(pairs)}): same-story decision")
    for key in ("tune", "heldout", "all"):
        print(f"  {key:8s} {by_split[key].line()}")
    print("\n".join(errors) if errors else "  no errors")

    # Every pair of fixture articles: same event iff same `event` label; split by the groups' split.
    tune_groups = {articles[p["a"]]["group"] for p in pairs if p["split"] == "tune"}
    every: dict[str, Counts] = {"tune": Counts(), "heldout": Counts(), "mixed": Counts()}
    wrong: list[str] = []
    for x, y in itertools.combinations(sorted(articles), 2):
        truth = articles[x]["event"] == articles[y]["event"]
        decided, score = same_story(docs[x], docs[y])
        in_tune = (articles[x]["group"] in tune_groups, articles[y]["group"] in tune_groups)
        key = "tune" if all(in_tune) else "heldout" if not any(in_tune) else "mixed"
        every[key].add(truth, decided)
        if decided != truth:
            wrong.append(f"  {x}~{y} ({key}) truth={truth} score={score:.3f}")
    print(f"\nall article pairs ({len(articles) * (len(articles) - 1) // 2}), labelled by event")
    for key in ("tune", "heldout", "mixed"):
        print(f"  {key:8s} {every[key].line()}")
    print("\n".join(wrong) if wrong else "  no errors")

    # The index, fed in publication order: do co-members share an event?
    index = StoryIndex()
    ordered = sorted(articles.values(), key=lambda a: datetime.fromisoformat(a["published_at"]))
    for a in ordered:
        d = docs[a["id"]]
        index.add(a["id"], d.signature, d.title_tokens, d.published_at, source=a["outlet"])
    grouped = Counts()
    for x, y in itertools.combinations(sorted(articles), 2):
        grouped.add(articles[x]["event"] == articles[y]["event"], index.story_of(x) == index.story_of(y))
    print(f"\nStoryIndex grouping ({len(index.stories)} stories from {len(articles)} articles, "
          f"{len({a['event'] for a in articles.values()})} events), pairwise co-membership")
    print(f"  {grouped.line()}")
    for s in index.stories:
        events = {articles[m]["event"] for m in s.members}
        if len(events) > 1:
            print(f"  mixed story {s.story_id}: {s.members}")


def _without_digits(text: str) -> str:
    """Return text with every digit removed (articles that carry no figures)."""
    return re.sub(r"\d", "", text)


def _first_paragraph(text: str) -> str:
    """Return the first paragraph (what a feed summary often holds)."""
    return text.split("\n\n")[0]


def stress(articles: dict[str, dict[str, Any]], pairs: list[dict[str, Any]]) -> None:
    """Report the labelled pairs on degraded text: digits removed, and first paragraph only (feed teasers)."""
    variants: dict[str, Callable[[str], str]] = {
        "digits removed": _without_digits,
        "first paragraph only": _first_paragraph,
    }
    print("\nstress (not targets): labelled pairs on degraded text")
    for label, change in variants.items():
        docs = {
            aid: StoryDoc.from_text(
                a["title"] if label == "first paragraph only" else change(a["title"]),
                change(a["body"]),
                datetime.fromisoformat(a["published_at"]),
            )
            for aid, a in articles.items()
        }
        counts = Counts()
        for p in pairs:
            counts.add(p["same_story"], same_story(docs[p["a"]], docs[p["b"]])[0])
        print(f"  {label:22s} {counts.line()}")


def _zipf_sampler(rng: random.Random, size: int) -> list[float]:
    """Return cumulative Zipf weights over `size` ranks, for random.choices."""
    return list(itertools.accumulate(1.0 / (rank**ZIPF_S) for rank in range(1, size + 1)))


@dataclass
class FakeArticle:
    """A random article as the terms its signature is made of."""

    names: list[str]
    numbers: list[str]
    title: list[str]
    when: datetime

    def signature(self, rng: random.Random) -> bytes:
        """Return signature bytes with these key terms and a random body."""
        return Signature(
            rng.getrandbits(64),
            tuple(rng.getrandbits(32) for _ in range(NUM_PERM)),
            frozenset(token_hash(t) & _MASK_32 for t in self.names),
            frozenset(token_hash(t) & _MASK_32 for t in self.numbers),
        ).to_bytes()


def synthetic(rng: random.Random, count: int, start: datetime, span_days: float) -> list[FakeArticle]:
    """Draw random articles: Zipf-distributed names, numbers and title words, uniform times."""
    names_cum = _zipf_sampler(rng, NAME_VOCAB)
    numbers_cum = _zipf_sampler(rng, NUMBER_VOCAB)
    words_cum = _zipf_sampler(rng, WORD_VOCAB)
    name_ids, number_ids, word_ids = range(NAME_VOCAB), range(NUMBER_VOCAB), range(WORD_VOCAB)
    out = []
    for _ in range(count):
        picked = rng.choices(name_ids, cum_weights=names_cum, k=rng.randint(10, 40))
        names = sorted({f"name{i}" for i in picked})
        drawn = rng.choices(number_ids, cum_weights=numbers_cum, k=rng.randint(3, 15))
        numbers = sorted({f"{i}.{i % 7}" for i in drawn})
        title = [f"w{i}" for i in rng.choices(word_ids, cum_weights=words_cum, k=rng.randint(5, 9))]
        title += rng.sample(names, 2)
        when = start + timedelta(seconds=rng.uniform(0, span_days * 86400))
        out.append(FakeArticle(names, numbers, title, when))
    return out


def rewrite(rng: random.Random, base: FakeArticle, fresh: FakeArticle) -> FakeArticle:
    """Return another outlet's take on `base`: half its facts and title, plus unrelated ones, hours later."""
    keep = 0.5
    return FakeArticle(
        rng.sample(base.names, max(1, int(len(base.names) * keep))) + fresh.names[:10],
        rng.sample(base.numbers, max(1, int(len(base.numbers) * keep))) + fresh.numbers[:3],
        rng.sample(base.title, max(1, int(len(base.title) * keep))) + fresh.title[:4],
        base.when + timedelta(hours=rng.uniform(0, 12)),
    )


def speed(stored: int, queries: int, span_days: float, seed: int) -> None:
    """Time assign() and add() of new articles against `stored` synthetic articles over `span_days`."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    corpus = synthetic(rng, stored + queries, start, span_days)
    old, new = corpus[:stored], corpus[stored:]
    # A tenth of the new articles are rewrites of stored ones, so joins are timed too.
    rewrites = set(rng.sample(range(queries), queries // 10))
    for q in rewrites:
        new[q] = rewrite(rng, old[rng.randrange(stored)], new[q])
    sigs = [a.signature(rng) for a in corpus[:stored]] + [a.signature(rng) for a in new]
    t1 = time.perf_counter()
    rss_before = _current_rss_mib()
    index = StoryIndex()
    # Loaded as the store would reload its assignments: each stored article keeps its own story.
    for n, a in enumerate(old):
        index.add(f"a{n}", sigs[n], a.title, a.when, story_id=f"a{n}")
    t2 = time.perf_counter()
    index_mib = _current_rss_mib() - rss_before + sum(map(len, sigs[:stored])) / 2**20
    assign_ms: list[float] = []
    cpu0 = time.process_time()
    joined = 0
    for q, a in enumerate(new):
        q0 = time.perf_counter()
        got = index.assign(f"q{q}", sigs[stored + q], a.title, a.when)
        assign_ms.append((time.perf_counter() - q0) * 1000)
        joined += (not got.new_story) == (q in rewrites)
    # CPU time is reported too: wall-clock percentiles move with whatever else the machine runs.
    cpu_ms = (time.process_time() - cpu0) * 1000 / queries
    add_ms: list[float] = []
    for q, a in enumerate(new):
        q0 = time.perf_counter()
        index.add(f"q{q}", sigs[stored + q], a.title, a.when)
        add_ms.append((time.perf_counter() - q0) * 1000)
    assign_ms.sort()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {stored} stored over {span_days:g} days: make signatures {t1 - t0:.1f} s, "
        f"load index {t2 - t1:.1f} s ({(t2 - t1) / stored * 1000:.3f} ms/article)"
    )
    print(
        f"  assign: CPU {cpu_ms:.3f} ms/article; wall mean {statistics.fmean(assign_ms):.3f} ms,"
        f" p50 {assign_ms[len(assign_ms) // 2]:.3f} ms, "
        f"p99 {assign_ms[int(len(assign_ms) * 0.99)]:.3f} ms, max {assign_ms[-1]:.3f} ms"
        f" over {queries} new articles; right join/new decision for {joined}/{queries}"
        f" ({len(rewrites)} were rewrites)"
    )
    print(
        f"  add (assign + insert): mean {statistics.fmean(add_ms):.3f} ms; index about {index_mib:.0f} MiB"
        f" ({index_mib * 1024 / stored:.1f} KiB/article incl. signature bytes); peak RSS {rss_mib:.0f} MiB"
    )


def _current_rss_mib() -> float:
    """Return the resident memory of this process now (Linux /proc), in MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def signature_speed(articles: dict[str, dict[str, Any]]) -> None:
    """Time signature() on the fixture bodies (the per-article cost paid once, at extraction)."""
    from scraper.stories import signature

    bodies = [a["body"] for a in articles.values()]
    t0 = time.process_time()
    for body in bodies:
        signature(body)
    ms = (time.process_time() - t0) * 1000 / len(bodies)
    words = statistics.fmean(len(b.split()) for b in bodies)
    print(f"  signature(): CPU {ms:.2f} ms per fixture body (mean {words:.0f} whitespace words)")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see --help."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--features", choices=["tune", "heldout"], help="print each pair's signals for one split")
    ap.add_argument("--no-speed", action="store_true", help="skip the 100k assignment timing")
    ap.add_argument("--stored", type=int, default=STORED_ARTICLES)
    ap.add_argument("--queries", type=int, default=TIMED_QUERIES)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    articles, pairs = load()
    if args.features:
        feature_table(articles, pairs, args.features)
        return 0
    quality(articles, pairs)
    stress(articles, pairs)
    if not args.no_speed:
        print("\ncost")
        signature_speed(articles)
        speed(args.stored, args.queries, SPREAD_DAYS, args.seed)
        speed(args.stored, args.queries, DENSE_DAYS, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
