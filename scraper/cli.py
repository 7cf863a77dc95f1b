"""Command line: one-off fetches, extraction of saved pages, the service, exports and source status."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from scraper.config import Settings, find_source, load_settings, load_sources
from scraper.errors import ConfigError, ScraperError
from scraper.models import Source

EXIT_FAILED = 1  # some work failed; what succeeded is stored
EXIT_USAGE = 2  # bad command line, config or input: nothing was done
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

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

    store = Store.open(ctx.settings.db_url, migrate=migrate)
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
@click.pass_context
def cli(click_ctx: click.Context, config: str | None, db: str | None, verbose: bool) -> None:
    """Industry-news scraper: fetch feeds and pages into a versioned archive, export it as JSON."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT, stream=sys.stderr
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
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
@click.pass_obj
def run(ctx: Context, once: bool) -> None:
    """Run the service: refresh each source on its interval until SIGINT/SIGTERM, or once (--once)."""
    from scraper.service import Service, run_once

    sources = ctx.sources()
    with open_store(ctx) as store:
        store.sync_sources(sources)
        if once:
            reports = asyncio.run(run_once(ctx.settings, store, sources))
            failed = [r for r in reports if not r.ok]
            for report in failed:
                click.echo(f"error: {report.source}: {report.error}", err=True)
            sys.exit(EXIT_FAILED if failed else 0)
        asyncio.run(Service(ctx.settings, store, sources).run())


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
@click.option("--since", metavar="ISO_DATE", help="Only articles fetched at or after this date.")
@click.option("--source", "source_name", metavar="NAME", help="Only articles of this source.")
@click.pass_obj
def export(ctx: Context, fmt: str, output: str | None, since: str | None, source_name: str | None) -> None:
    """Export the latest version of every stored article as JSON or JSON Lines."""
    from scraper.export import export_articles

    since_at = _parse_since(since)
    with open_store(ctx) as store:
        count = export_articles(store, output or sys.stdout, fmt=fmt, since=since_at, source=source_name)
    err_console.print(f"exported {count} article(s)" + (f" to {output}" if output else ""), highlight=False)


@cli.group()
def sources() -> None:
    """Configured sources."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source instead of a table.")
@click.pass_obj
def sources_list(ctx: Context, as_json: bool) -> None:
    """List the configured sources with their last fetch status."""
    configured = ctx.sources()
    with open_store(ctx) as store:
        statuses = {s.name: s for s in store.source_statuses()}
    rows: list[dict[str, Any]] = []
    for src in configured:
        st = statuses.get(src.name)
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
            row["last_outcome"] or "never",
            row["last_attempt_at"] or "-",
            str(row["articles"]),
            detail,
        )
    Console(width=200).print(table)


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
    with open_store(ctx, migrate=True):
        pass
    click.echo(f"schema up to date: {ctx.settings.db_url}", err=True)


def main() -> None:
    """Entry point of the `scraper` command and `python -m scraper`."""
    cli(prog_name="scraper")
