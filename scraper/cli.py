"""Command line: one-off fetches, extraction of saved pages, the service, exports and source status."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.table import Table

from scraper.config import Settings, find_source, load_settings, load_sources
from scraper.errors import ConfigError, ScraperError
from scraper.logs import setup_logging
from scraper.models import Source

EXIT_FAILED = 1  # some work failed; what succeeded is stored
EXIT_USAGE = 2  # bad command line, config or input: nothing was done

err_console = Console(stderr=True)


@dataclass
class Context:
    """What every command gets: the options given and the settings built from them."""

    config: str | None
    db: str | None
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """Load settings once, on first use, so `--help` never reads files."""
        if self._settings is None:
            self._settings = load_settings(self.config, db_url=self.db)
        return self._settings

    def sources(self) -> list[Source]:
        """The sources named in the settings' sources file."""
        return load_sources(self.settings)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one error line on stderr and exit with `code`."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class ScraperGroup(click.Group):
    """A click group that turns our errors into one line and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
        except ScraperError as exc:
            fail(str(exc), EXIT_FAILED)


@contextmanager
def open_store(ctx: Context, *, migrate: bool = True) -> Iterator[Any]:
    """Open the store named by the settings and close it afterwards."""
    from scraper.store import Store

    store = Store.from_settings(ctx.settings, migrate=migrate)
    try:
        yield store
    finally:
        store.close()


def _parse_since(value: str | None) -> datetime | None:
    """Parse an ISO date or datetime option; naive means UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since: not an ISO 8601 date or datetime: {value!r}")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _emit(record: dict[str, Any]) -> None:
    """Write one JSON object as a line on stdout."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@click.group(cls=ScraperGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    metavar="PATH",
    help="Settings TOML file [env SCRAPER_CONFIG; default config/settings.toml].",
)
@click.option(
    "--db", "db", metavar="URL", help="Database URL [env SCRAPER_DB_URL; default sqlite:///data/scraper.db]."
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail on stderr.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log lines as key=value text or one JSON object each [env SCRAPER_LOG_FORMAT; default text].",
)
@click.pass_context
def cli(
    click_ctx: click.Context, config: str | None, db: str | None, verbose: bool, log_format: str | None
) -> None:
    """Industry-news scraper: fetch feeds and pages into a versioned archive, export it as JSON."""
    fmt = log_format or os.environ.get("SCRAPER_LOG_FORMAT", "text")
    setup_logging(verbose=verbose, fmt=fmt if fmt in ("text", "json") else "text")
    click_ctx.obj = Context(config=config, db=db)


@cli.command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--no-store", is_flag=True, help="Print the articles without storing them.")
@click.option(
    "--source", "source_name", metavar="NAME", help="Attribute the articles to this configured source."
)
@click.pass_obj
def fetch(ctx: Context, urls: tuple[str, ...], no_store: bool, source_name: str | None) -> None:
    """Fetch pages or feeds now and print each article as a JSON line (feeds: every entry's page)."""
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            fail(f"fetch: bad-url: not an http(s) URL ({url})")
    source = (
        find_source(ctx.sources(), source_name, str(ctx.settings.path(ctx.settings.sources_file)))
        if source_name
        else None
    )
    if no_store:
        failures = asyncio.run(_fetch_all(ctx.settings, None, urls, source))
    else:
        with open_store(ctx) as store:
            failures = asyncio.run(_fetch_all(ctx.settings, store, urls, source))
    if failures:
        sys.exit(EXIT_FAILED)


async def _fetch_all(settings: Settings, store: Any, urls: tuple[str, ...], source: Source | None) -> int:
    """Process each URL, printing articles as they come and errors as one line each; return failures."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from scraper.pipeline import Pipeline

    failures = 0
    async with Pipeline(settings, store) as pipeline:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True
        ) as bar:
            task = bar.add_task("fetching", total=None)
            for url in urls:
                bar.update(task, description=f"fetching {url}")
                try:
                    async for outcome in pipeline.process_url(url, source=source):
                        if outcome.error is not None:
                            failures += 1
                            err_console.print(f"error: {outcome.error}", markup=False, highlight=False)
                        elif outcome.article is not None:
                            _emit(outcome.article.to_dict())
                            bar.update(task, description=f"stored {outcome.url}" if store else outcome.url)
                except ScraperError as exc:
                    failures += 1
                    err_console.print(f"error: {exc}", markup=False, highlight=False)
    return failures


@cli.command()
@click.argument("file", required=False, default="-", metavar="[FILE|-]")
@click.option("--url", metavar="URL", help="The page's original URL, to resolve links and read dates.")
def extract(file: str, url: str | None) -> None:
    """Extract a saved HTML page (a file, or - for stdin) and print the article as JSON; no network."""
    from scraper.extract import extract_article

    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(file).read_bytes()
        except FileNotFoundError:
            fail(f"extract: file not found: {file}")
        except OSError as exc:
            fail(f"extract: cannot read {file}: {exc.strerror}")
    article = extract_article(data, url, fetched_at=datetime.now(UTC))
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


@cli.command()
@click.option("--once", is_flag=True, help="One pass over all enabled sources, then exit (for cron).")
@click.option("--dispatch", is_flag=True, help="Enqueue due sources for `scraper worker` processes (Celery).")
@click.pass_obj
def run(ctx: Context, once: bool, dispatch: bool) -> None:
    """Run the service: refresh each source when due until SIGINT/SIGTERM, or once (--once)."""
    from scraper.service import Service, run_once

    if once and dispatch:
        fail("run: --once and --dispatch exclude each other")
    sources = ctx.sources()
    with open_store(ctx, migrate=not dispatch) as store:
        store.sync_sources(sources)
        if once:
            reports = asyncio.run(run_once(ctx.settings, store, sources))
            failed = [r for r in reports if not r.ok]
            for report in failed:
                click.echo(f"error: {report.source}: {report.error}", err=True)
            sys.exit(EXIT_FAILED if failed else 0)
        dispatcher = None
        if dispatch:
            from scraper.service.worker import CeleryDispatcher, make_app

            dispatcher = CeleryDispatcher(make_app(ctx.settings))
        service = Service(ctx.settings, store, sources, reload=ctx.sources, dispatcher=dispatcher)
        asyncio.run(service.run())


@cli.command()
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Sources refreshed at once by this worker (1: in-process, more: forked children).",
)
@click.option("--name", metavar="NAME", help="Worker name shown by Celery (default scraper-PID).")
@click.pass_obj
def worker(ctx: Context, concurrency: int, name: str | None) -> None:
    """Run a Celery worker that refreshes sources enqueued by `scraper run --dispatch`."""
    from scraper.service.worker import run_worker

    with open_store(ctx, migrate=False):
        pass  # refuse to start on a schema this version does not know
    run_worker(ctx.settings, concurrency=concurrency, name=name)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl"]),
    default="jsonl",
    show_default=True,
    help="json: one array; jsonl: one object a line.",
)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE atomically instead of stdout.")
@click.option("--since", metavar="ISO_DATE", help="Only versions fetched (or published) at or after this.")
@click.option(
    "--since-field",
    type=click.Choice(["fetched", "published"]),
    default="fetched",
    show_default=True,
    help="Which time --since applies to.",
)
@click.option("--source", "source_name", metavar="NAME", help="Only articles of this source.")
@click.option("--tag", metavar="TAG", help="Only articles carrying this tag.")
@click.option("--fields", metavar="A,B,...", help="Only these fields (comma-separated).")
@click.option(
    "--all-versions", is_flag=True, help="Every version, each with its number and a `changes` summary."
)
@click.option(
    "--stories", "as_stories", is_flag=True, help="Export stories with their member articles instead."
)
@click.pass_obj
def export(
    ctx: Context, fmt: str, output: str | None, since: str | None, since_field: str, source_name: str | None,
    tag: str | None, fields: str | None, all_versions: bool, as_stories: bool,
) -> None:  # fmt: skip
    """Export the latest version of every article (or every version, or stories) as JSON or JSON Lines."""
    from scraper.export import atomic_text_file, export_articles, write_records

    since_at = _parse_since(since)
    wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    with open_store(ctx) as store:
        if as_stories:
            from scraper.store.stories import list_stories

            records = (
                json.dumps(s, ensure_ascii=False) for s in list_stories(store, since=since_at, tag=tag)
            )
            if output:
                with atomic_text_file(Path(output)) as fh:
                    count = write_records(records, fh, fmt)
            else:
                count = write_records(records, sys.stdout, fmt)
            err_console.print(
                f"exported {count} stories" + (f" to {output}" if output else ""), highlight=False
            )
            return
        count = export_articles(
            store, output or sys.stdout, fmt=fmt, since=since_at, since_field=since_field, source=source_name,
            tag=tag, fields=wanted, all_versions=all_versions,
        )  # fmt: skip
    err_console.print(f"exported {count} record(s)" + (f" to {output}" if output else ""), highlight=False)


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
@click.pass_obj
def history(ctx: Context, url: str, as_json: bool) -> None:
    """List an article's versions: number, time, and what changed."""
    with open_store(ctx) as store:
        versions = store.history(url)
    if as_json:
        for info in versions:
            _emit(info.to_dict())
        return
    table = Table("version", "fetched at", "changed", "size of change", "status")
    for info in versions:
        ch = info.changes or {}
        what = "first capture" if ch.get("initial") else ", ".join(ch.get("fields") or []) or "-"
        size = (
            f"+{ch.get('paragraphs_added', 0)}/-{ch.get('paragraphs_removed', 0)} paragraphs, "
            f"+{ch.get('chars_added', 0)}/-{ch.get('chars_removed', 0)} chars"
        )
        when = info.fetched_at.isoformat(timespec="seconds")
        table.add_row(str(info.version), when, what, size, str(info.http_status or "-"))
    Console(width=200).print(table)


@cli.command()
@click.argument("url")
@click.option("--from", "from_n", type=int, metavar="N", help="Older version (default: the one before --to).")
@click.option("--to", "to_n", type=int, metavar="M", help="Newer version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="The diff as data.")
@click.pass_obj
def diff(ctx: Context, url: str, from_n: int | None, to_n: int | None, as_json: bool) -> None:
    """Show what changed between two versions: changed fields and a paragraph diff of the body."""
    with open_store(ctx) as store:
        result = store.diff(url, from_n, to_n)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(result.to_text())


@cli.command()
@click.argument("url")
@click.option("--version", "n", type=int, metavar="N", help="Version number (default: the latest).")
@click.pass_obj
def show(ctx: Context, url: str, n: int | None) -> None:
    """Print one stored version of an article as JSON."""
    with open_store(ctx) as store:
        record = store.get_version(url, n)
    if record is None:
        fail(f"store: no version {n} of {url}", EXIT_FAILED)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=str))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document for monitoring.")
@click.pass_obj
def status(ctx: Context, as_json: bool) -> None:
    """Show each source's health and schedule, recent activity, and the service processes."""
    from scraper.service.status import collect_status

    with open_store(ctx, migrate=False) as store:
        report = collect_status(ctx.settings, store, ctx.sources())
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(
        "source", "last success", "last error", "fails", "next poll", "24h articles", "24h versions"
    )
    for row in report["sources"]:
        table.add_row(
            row["name"] + (" (FAILING)" if row["failing"] else ""), row["last_success_at"] or "never",
            row["last_error"] or "-", str(row["consecutive_failures"]), row["next_poll_at"] or "-",
            str(row["articles_24h"]), str(row["versions_24h"]),
        )  # fmt: skip
    out = Console(width=200)
    out.print(table)
    for svc in report["services"]:
        out.print(
            f"{svc['mode']} {svc['host']} pid {svc['pid']}: {svc['state']}"
            f"{'' if svc['alive'] else ' (no heartbeat: not running)'}, in flight {svc['inflight']},"
            f" last heartbeat {svc['heartbeat_at']}",
            highlight=False,
        )
    if not report["services"]:
        out.print("no service has run on this store yet", highlight=False)


@cli.command()
@click.argument("query")
@click.option("--since", metavar="ISO_DATE", help="Only articles published (else fetched) at or after this.")
@click.option("--source", "source_name", metavar="NAME", help="Only articles of this source.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Most hits shown.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
@click.pass_obj
def search(
    ctx: Context, query: str, since: str | None, source_name: str | None, limit: int, as_json: bool
) -> None:
    """Full-text search over the latest version of every article, best match first, with snippets."""
    from scraper.store.search import search_store

    since_at = _parse_since(since)
    with open_store(ctx) as store:
        hits = search_store(store, query, since=since_at, source=source_name, limit=limit)
    if as_json:
        for hit in hits:
            _emit(hit.to_dict())
        return
    out = Console(width=200)
    for hit in hits:
        when = hit.published_at.date().isoformat() if hit.published_at else "-"
        out.print(f"[bold]{hit.title or hit.url}[/bold]  {hit.source or '-'}  {when}")
        out.print(f"  {hit.url}", highlight=False)
        out.print(f"  {hit.snippet}", markup=False, highlight=False)
    if not hits:
        err_console.print("no match", highlight=False)


@cli.command()
@click.option("--since", metavar="ISO_DATE", help="Only stories first seen at or after this.")
@click.option("--tag", metavar="TAG", help="Only stories with an article carrying this tag.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Most stories listed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story, with its articles.")
@click.pass_obj
def stories(ctx: Context, since: str | None, tag: str | None, limit: int | None, as_json: bool) -> None:
    """List stories (coverage of one event across outlets), newest first, with their articles."""
    from scraper.store.stories import list_stories

    since_at = _parse_since(since)
    out = Console(width=200)
    with open_store(ctx) as store:
        for story in list_stories(store, since=since_at, tag=tag, limit=limit):
            if as_json:
                _emit(story)
                continue
            out.print(f"[bold]story {story['story_id']}[/bold]  first seen {story['first_seen_at']}"
                      f" at {story['first_source'] or '-'}, {story['size']} article(s)")  # fmt: skip
            for art in story["articles"]:
                when = art["published"] or art["fetched_at"] or "-"
                out.print(
                    f"  {art['source'] or '-':<20} {when:<26} {art['title'] or art['url']}", markup=False
                )


@cli.group()
def sources() -> None:
    """Configured sources."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source instead of a table.")
@click.pass_obj
def sources_list(ctx: Context, as_json: bool) -> None:
    """List the configured sources with their last fetch status."""
    configured = ctx.sources()
    from scraper.store.schedule import Schedule

    with open_store(ctx) as store:
        statuses = {s.name: s for s in store.source_statuses()}
        planned = {r.source: r for r in Schedule(store).rows()}
    rows: list[dict[str, Any]] = []
    for src in configured:
        st = statuses.get(src.name)
        plan = planned.get(src.name)
        rows.append(
            {
                "name": src.name,
                "kind": src.kind,
                "url": src.url,
                "enabled": src.enabled,
                "interval_s": src.interval_s,
                "last_outcome": getattr(st, "last_outcome", None),
                "last_error": getattr(st, "last_error", None),
                "last_attempt_at": _iso(getattr(st, "last_attempt_at", None)),
                "last_success_at": _iso(getattr(st, "last_success_at", None)),
                "articles": getattr(st, "articles", 0) or 0,
                "consecutive_failures": getattr(st, "consecutive_failures", 0) or 0,
                "failing": bool(plan and plan.failing),
                "next_poll_at": _iso(plan.next_poll_at) if plan else None,
            }
        )
    if as_json:
        for row in rows:
            _emit(row)
        return
    table = Table("name", "kind", "enabled", "last outcome", "last attempt", "articles", "url / last error")
    for row in rows:
        detail = row["url"] + (f"\n{row['last_error']}" if row["last_error"] else "")
        table.add_row(
            row["name"],
            row["kind"],
            "yes" if row["enabled"] else "no",
            (row["last_outcome"] or "never")
            + (f" ({row['consecutive_failures']} in a row)" if row["consecutive_failures"] else "")
            + (" FAILING" if row["failing"] else ""),
            row["last_attempt_at"] or "-",
            str(row["articles"]),
            detail,
        )
    Console(width=200).print(table)


def _source_name(url: str, taken: set[str]) -> str:
    """A short unique source name from a URL's host (and a number when taken)."""
    host = (urlsplit(url).hostname or "source").removeprefix("www.")
    base = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "source"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


@sources.command("add")
@click.argument("url")
@click.option("--name", metavar="NAME", help="Source name (default: from the host).")
@click.option("--interval", type=click.FloatRange(min=1), metavar="SECONDS", help="Poll interval.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag for its articles (repeatable).")
@click.option("--all", "add_all", is_flag=True, help="Add every feed found, not only the best.")
@click.option("--dry-run", is_flag=True, help="Show what was found; change nothing.")
@click.pass_obj
def sources_add(
    ctx: Context, url: str, name: str | None, interval: float | None, tags: tuple[str, ...], add_all: bool,
    dry_run: bool,
) -> None:  # fmt: skip
    """Add a home page, section page, feed or sitemap: its feeds are discovered and the best one added."""
    from scraper.pipeline import Pipeline
    from scraper.sources_file import add_sources

    if not url.lower().startswith(("http://", "https://")):
        fail(f"sources: not an http(s) URL ({url})")

    async def find() -> list[Any]:
        async with Pipeline(ctx.settings, None) as pipeline:
            return await pipeline.discover(url)

    found = asyncio.run(find())
    table = Table("kind", "url", "title")
    for cand in found:
        table.add_row(cand.kind, cand.url, cand.title or "")
    err_console.print(table)
    chosen = found if add_all else found[:1]
    path = ctx.settings.path(ctx.settings.sources_file)
    taken = {s.name for s in ctx.sources()}
    new = []
    for i, cand in enumerate(chosen):
        label = name if name and i == 0 else (f"{name}-{i + 1}" if name else _source_name(cand.url, taken))
        new.append(
            Source(
                name=label, url=cand.url, kind=cand.kind, tags=list(tags),
                interval_s=interval or ctx.settings.source_interval_s,
            )
        )  # fmt: skip
    if dry_run:
        return
    added = add_sources(path, new)
    for src in added:
        err_console.print(f"added {src.kind} source {src.name!r}: {src.url} to {path}", highlight=False)


@sources.command("remove")
@click.argument("name")
@click.pass_obj
def sources_remove(ctx: Context, name: str) -> None:
    """Remove a source from the sources file (its stored articles stay)."""
    from scraper.sources_file import remove_source

    path = ctx.settings.path(ctx.settings.sources_file)
    find_source(ctx.sources(), name, str(path))
    remove_source(path, name)
    err_console.print(f"removed {name!r} from {path}", highlight=False)


@sources.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def sources_import(ctx: Context, file: str) -> None:
    """Add the feeds of an OPML file (Miniflux, FreshRSS, Feedly exports); folders become tags."""
    from scraper.feeds import read_opml
    from scraper.sources_file import add_sources

    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        fail(f"sources: cannot read {file}: {exc.strerror}")
    path = ctx.settings.path(ctx.settings.sources_file)
    added = add_sources(path, read_opml(data, file), skip_existing=True)
    err_console.print(f"imported {len(added)} source(s) into {path}", highlight=False)


@sources.command("export")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
@click.pass_obj
def sources_export(ctx: Context, output: str | None) -> None:
    """Print the feed sources as OPML 2.0 (tags as categories)."""
    from scraper.feeds import write_opml

    text = write_opml(ctx.sources())
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _iso(value: Any) -> str | None:
    """ISO form of a datetime, or None."""
    return value.isoformat() if isinstance(value, datetime) else value


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(ctx: Context) -> None:
    """Create or upgrade the database schema to the latest version."""
    from scraper.store import upgrade
    from scraper.store.engine import safe_url

    revision = upgrade(ctx.settings.db_url)
    click.echo(f"schema at {revision}: {safe_url(ctx.settings.db_url)}", err=True)


def main() -> None:
    """Entry point of the `scraper` command and `python -m scraper`."""
    cli(prog_name="scraper")
