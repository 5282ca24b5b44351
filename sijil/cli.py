"""The `sijil` command. Settings are read once here and passed down.

Exit codes: 0 success; 1 the work failed or a check did not pass; 2 wrong usage;
3 configuration error; 4 a service is unavailable (worth retrying).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.errors import ConfigError, ServiceUnavailable, SijilError
from sijil import __version__
from sijil.settings import Settings, load_settings

EXIT_FAILED, EXIT_CONFIG, EXIT_UNAVAILABLE = 1, 3, 4

app = typer.Typer(help="sijil: civil-status registers, from scanner batches to searchable acts.", no_args_is_help=True)
stack_app = typer.Typer(help="The local services: Elasticsearch, MinIO, Prefect, veraPDF.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")

# Wide enough for URLs when the output is a log or a pipe, not a terminal.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[str | None, typer.Option("--config", help="TOML settings file (default: $SIJIL_CONFIG or ./sijil.toml)")] = None,
) -> None:
    from pathlib import Path

    ctx.obj = load_settings(config_file=Path(config) if config else None)


@app.command()
def version() -> None:
    """Print sijil's version."""
    console.print(f"sijil {__version__}")


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n else "-"


def _status_table(statuses) -> Table:
    table = Table("service", "state", "URL", "pid", "memory", "detail")
    for st in statuses:
        if st.is_tool:
            state = "[green]installed[/]" if st.healthy else "[red]missing[/]"
        else:
            state = "[green]healthy[/]" if st.healthy else ("[yellow]unhealthy[/]" if st.running else "[red]stopped[/]")
        table.add_row(st.name, state, st.url, str(st.pid or "-"), _mib(st.rss_bytes), st.detail)
    return table


@stack_app.command("up")
def stack_up(ctx: typer.Context) -> None:
    """Provision (first time) and start every service; a no-op for those already running."""
    from sijil.stack import manage

    settings, statuses = manage.up(_settings(ctx), say=lambda m: console.print(f"• {m}"))
    console.print(_status_table(statuses))
    console.print(f"Credentials: {settings.credentials_file} (mode 0600)")


@stack_app.command("down")
def stack_down(ctx: typer.Context) -> None:
    """Stop every service of the local stack; the data stays."""
    from sijil.stack import manage

    manage.down(_settings(ctx), say=lambda m: console.print(f"• {m}"))


@stack_app.command("status")
def stack_status(ctx: typer.Context) -> None:
    """Each service, its URL, its health and its memory. Exit 1 if one is not healthy."""
    from sijil.stack import manage

    statuses = manage.status(_settings(ctx))
    console.print(_status_table(statuses))
    if not all(st.healthy for st in statuses):
        raise typer.Exit(EXIT_FAILED)


@stack_app.command("logs")
def stack_logs(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="elasticsearch, minio, prefect (default: all)")] = None,
    lines: Annotated[int, typer.Option("--lines", "-n")] = 50,
    follow: Annotated[bool, typer.Option("--follow", "-f")] = False,
) -> None:
    """Show the last lines of the services' logs."""
    from sijil.stack import manage

    unknown = [s for s in services or [] if s not in manage.SERVICE_NAMES]
    if unknown:
        err_console.print(f"Unknown service: {', '.join(unknown)} (choose from {', '.join(manage.SERVICE_NAMES)})")
        raise typer.Exit(2)
    files = manage.log_files(_settings(ctx), tuple(services or ()))
    if not files:
        err_console.print("No logs yet: the stack has not been started (sijil stack up).")
        raise typer.Exit(EXIT_FAILED)
    os.execvp("tail", ["tail", "-n", str(lines), *(["-F"] if follow else []), *map(str, files)])


@app.command()
def doctor(ctx: typer.Context) -> None:
    """Check that this machine can run sijil: OCR tools, Java, and the services."""
    from sijil.doctor import run_checks

    checks = run_checks(_settings(ctx))
    table = Table("check", "result", "detail", "how to fix")
    for check in checks:
        table.add_row(check.name, "[green]ok[/]" if check.ok else "[red]PROBLEM[/]", check.detail, check.fix)
    console.print(table)
    problems = [c for c in checks if not c.ok]
    if problems:
        err_console.print(f"{len(problems)} problem(s): {', '.join(c.name for c in problems)}")
        raise typer.Exit(EXIT_FAILED)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to find, in Arabic or French script")],
    size: Annotated[int, typer.Option("--size", "-n", help="How many pages to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Find scanned pages by their text; shows highlighted snippets. Exit 1 when nothing is found."""
    import json
    from dataclasses import asdict

    from search.client import connect
    from search.pages import search_pages

    settings = _settings(ctx)
    total, hits = search_pages(connect(settings), index_prefix=settings.index_prefix, text=text, size=size)
    if as_json:
        console.print_json(json.dumps({"total": total, "hits": [asdict(h) for h in hits]}, ensure_ascii=False))
    else:
        console.print(f"{total} page(s) match « {text} »")
        for hit in hits:
            reg = hit.register
            console.print(
                f"[bold]{hit.page_id}[/]  {reg.get('commune_fr', '')} {reg.get('kind', '')} {reg.get('year', '')}"
                f" s{reg.get('series', '')} v{reg.get('volume', '')} — {hit.file} p.{hit.page_index + 1}"
                f"  (batch {hit.batch_id})"
            )
            for snippet in hit.snippets:
                console.print("    " + escape(snippet).replace("<em>", "[reverse]").replace("</em>", "[/reverse]"))
    if total == 0:
        raise typer.Exit(EXIT_FAILED)


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        err_console.print(f"[red]Configuration error:[/] {exc}")
        sys.exit(EXIT_CONFIG)
    except ServiceUnavailable as exc:
        err_console.print(f"[red]Service unavailable:[/] {exc}")
        sys.exit(EXIT_UNAVAILABLE)
    except SijilError as exc:
        err_console.print(f"[red]Error:[/] {exc}")
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
