"""The `sijil` command. Settings are read once here and passed down.

Exit codes: 0 success; 1 the work failed or a check did not pass; 2 wrong usage;
3 configuration error; 4 a service is unavailable (worth retrying); 5 a batch was ingested
but some files or pages are in quarantine; 6 a batch was refused (its manifest is invalid).
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.errors import ConfigError, ServiceUnavailable, SijilError
from sijil import __version__
from sijil.settings import Settings, load_settings

EXIT_FAILED, EXIT_CONFIG, EXIT_UNAVAILABLE, EXIT_QUARANTINE, EXIT_REFUSED = 1, 3, 4, 5, 6

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
        err_console.print(f"Service inconnu / unknown service: {', '.join(unknown)} "
                          f"(au choix / choose from {', '.join(manage.SERVICE_NAMES)})")
        raise typer.Exit(2)
    files = manage.log_files(_settings(ctx), tuple(services or ()))
    if not files:
        err_console.print("Pas encore de journaux : les services n'ont pas été démarrés (sijil stack up). / "
                          "No logs yet: the stack has not been started (sijil stack up).")
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
        err_console.print(f"{len(problems)} problème(s) / problem(s): {', '.join(c.name for c in problems)}")
        raise typer.Exit(EXIT_FAILED)


COMMUNE_CODE = re.compile(r"[0-9]{4,5}")  # as in batch.toml (scanners/manifest.py)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _iso_date(value: str | None, option: str) -> str | None:
    """YYYY-MM-DD as given, DD/MM/YYYY (the registers' and operators' way) turned into it;
    anything else, or a day that does not exist, is a ValueError with the message to show."""
    if value is None:
        return None
    text = value.strip()
    match = _DMY.fullmatch(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{option} « {value} » : date attendue AAAA-MM-JJ ou JJ/MM/AAAA (par ex. 1987-03-14 ou 14/03/1987) / "
                     f"{option} “{value}”: expected a date YYYY-MM-DD or DD/MM/YYYY (e.g. 1987-03-14 or 14/03/1987)")


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Words to find in the pages' text, in Arabic or French script")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Find ACTS by a person's name, in either script")] = None,
    year: Annotated[int | None, typer.Option(help="Acts of this register year")] = None,
    commune: Annotated[str | None, typer.Option(help="Acts of this commune code (4 or 5 digits, e.g. 1601)")] = None,
    kind: Annotated[str | None, typer.Option(help="birth, marriage or death")] = None,
    number: Annotated[int | None, typer.Option(help="Act number")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Event date from (YYYY-MM-DD or DD/MM/YYYY)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Event date to (YYYY-MM-DD or DD/MM/YYYY)")] = None,
    size: Annotated[int, typer.Option("--size", "-n", help="How many results to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Find pages by their text (TEXT), or acts by name and filters (--name, --year, …).
    A name match is a candidate: identity is decided by commune, year, number and dates.
    Exit 1 when nothing is found."""
    import json
    from dataclasses import asdict

    from search.client import connect

    # Checked before any query: a wrong value is the operator's to fix (exit 2), not an
    # Elasticsearch error or a silent "0 acts".
    try:
        date_from, date_to = _iso_date(date_from, "--from"), _iso_date(date_to, "--to")
    except ValueError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if commune is not None and not COMMUNE_CODE.fullmatch(commune.strip()):
        err_console.print(f"--commune attend un code commune (4 ou 5 chiffres, par ex. 1601), pas « {commune} » / "
                          f"--commune expects a commune code (4 or 5 digits, e.g. 1601), not “{commune}”.\n"
                          "  → Le code de chaque lot : sijil batch list / each batch's code: sijil batch list",
                          markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    commune = commune.strip() if commune is not None else None
    settings = _settings(ctx)
    es = connect(settings)
    act_filters = (year, commune, kind, number, date_from, date_to)
    if name or any(v is not None for v in act_filters):
        from search.acts import ActFilters, search_acts
        from sijil.cli_records import _audit, _reader, print_record
        from storage.objects import ObjectStore

        filters = ActFilters(year=year, commune=commune, kind=kind, number=number, date_from=date_from, date_to=date_to)
        total, hits = search_acts(es, index_prefix=settings.index_prefix, name=name, filters=filters, size=size)
        # Acts returned are acts read: audited before they are shown.
        _audit(settings, ObjectStore.from_settings(settings), who=_reader(), action="search",
               act_ids=[h.act_id for h in hits], detail={"name": name, **asdict(filters)})
        if as_json:
            print(json.dumps({"total": total, "hits": [asdict(h) for h in hits]}, ensure_ascii=False, indent=2))
        else:
            console.print(f"{total} acte(s) / act(s)" + (f" pour « {escape(name)} »" if name else ""))
            for hit in hits:
                print_record(hit.record)
                if hit.matched:
                    console.print("  trouvé par / matched by: " + ", ".join(hit.matched))
    elif text:
        from search.pages import search_pages

        total, hits = search_pages(es, index_prefix=settings.index_prefix, text=text, size=size)
        if as_json:
            print(json.dumps({"total": total, "hits": [asdict(h) for h in hits]}, ensure_ascii=False, indent=2))
        else:
            console.print(f"{total} page(s) match « {escape(text)} »")
            for hit in hits:
                reg = hit.register
                console.print(
                    f"[bold]{hit.page_id}[/]  {reg.get('commune_fr', '')} {reg.get('kind', '')} {reg.get('year', '')}"
                    f" s{reg.get('series', '')} v{reg.get('volume', '')} — {escape(hit.file)} p.{hit.page_index + 1}"
                    f"  (batch {hit.batch_id})"
                )
                # Matched words in reverse video on a terminal, between « » in a pipe or a log.
                opening, closing = ("[reverse]", "[/reverse]") if console.is_terminal else ("«", "»")
                # Each snippet is a separate place on the page: one bullet each, cut ends
                # marked, so two fragments are not read as one sentence.
                for snippet in hit.snippets:
                    console.print(_snippet_line(snippet, opening, closing))
    else:
        err_console.print("Donnez des mots à chercher dans les pages, ou --name / des filtres pour chercher des actes. / "
                          "Give words to find in pages, or --name / filters to find acts.")
        raise typer.Exit(2)
    es.close()
    if total == 0:
        raise typer.Exit(EXIT_FAILED)


def _snippet_line(snippet: str, opening: str, closing: str) -> str:
    flat = " ".join(snippet.split())
    return "    • … " + escape(flat).replace("<em>", opening).replace("</em>", closing) + " …"


def _use_prefect_server(settings: Settings) -> bool:
    """Point Prefect at the stack's server before Prefect is imported; without a server,
    flows still run (Prefect's ephemeral mode), slower and not visible in the UI."""
    from sijil.stack import prefect_server
    from sijil.stack.common import StackPaths

    for key in [k for k in os.environ if k.startswith("PREFECT_API_")]:
        del os.environ[key]
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if prefect_server.status(settings, StackPaths.of(settings)).healthy:
        os.environ.update(settings.prefect_client_env())
        return True
    err_console.print("[yellow]Serveur Prefect injoignable : exécution sans lui (invisible dans l'interface Prefect). / "
                      "Prefect server not reachable: running without it (not visible in the Prefect UI).[/]")
    return False


def _print_report(report: dict) -> None:
    files, pages = report["files"], report["pages"]
    reg = report["register"]
    console.print(f"[bold]Lot / batch {report['batch_id']}[/] — {reg['commune_fr']} ({reg['commune_code']}) "
                  f"{reg['kind']} {reg['year']} série {reg['series']} volume {reg['volume']}")
    balance = "[green]équilibré / balanced[/]" if files["balanced"] else "[red]NOT BALANCED[/]"
    console.print(f"Fichiers / files: {files['total']} = {files['archived']} archivé(s) + "
                  f"{files['quarantined']} en quarantaine — {balance}")
    for entry in report["quarantined"]:
        console.print(f"  [red]quarantaine[/] {escape(entry['path'])}: {escape(entry['message_fr'])} ({entry['reason']})")
    images = pages.get("images", pages["total"])
    console.print(f"Pages: {pages['ok']}/{pages['total']} lues / read"
                  + (f" ({images} images ; une double page = 2 pages / a spread = 2 pages)" if images != pages["total"]
                     else "")
                  + (f", {pages['reused']} déjà faites / already done" if pages["reused"] else ""))
    for failure in pages["failed"]:
        console.print(f"  [red]page en échec[/] {escape(failure['path'])}: {escape(failure['message_fr'])}")
    table = Table("page", "confiance / confidence")
    for page_id, conf in pages["mean_conf"].items():
        table.add_row(page_id, "-" if conf is None else f"{conf:.2f}")
    console.print(table)
    stages = report["per_page_stages"]
    if any(v["total_s"] for v in stages.values()):
        console.print("Temps par étape / per-stage time (median per page, total): " + ", ".join(
            f"{k} {v['median_s']:.2f}s/{v['total_s']:.1f}s" for k, v in stages.items()))
    console.print("Étapes du lot / batch stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in report["stage_seconds"].items()))
    pdf = report.get("pdfa")
    if pdf:
        verdict = "[green]PDF/A-2b valide (veraPDF)[/]" if pdf["passed"] else f"[red]PDF/A refusé par veraPDF[/]: {pdf['summary']}"
        console.print(f"PDF/A: {pdf['key']} ({pdf['pages']} pages) — {verdict}")
    idx = report["index"]
    console.print(f"Index: {idx['created']} nouvelle(s) / new, {idx['updated']} mise(s) à jour / updated, "
                  f"{idx['unchanged']} inchangée(s) / unchanged")
    acts = report.get("acts")
    if acts:
        console.print(f"Actes / acts: {acts['records']} lu(s) / read ({acts['created']} nouveau(x) / new, "
                      f"{acts['updated']} mis à jour / updated), {acts['needs_review']} à revoir / to review"
                      + (f", {acts['unnumbered']} sans numéro lisible / number unreadable" if acts["unnumbered"] else ""))
    if report["new_objects"] == 0 and idx["created"] == 0 and idx["updated"] == 0 and not (acts or {}).get("created") \
            and not (acts or {}).get("updated"):
        console.print("[green]Rien de nouveau : ce lot était déjà entièrement traité. / Nothing new: this batch was already complete.[/]")
    else:
        console.print(f"{report['new_objects']} objet(s) ou version(s) écrit(s) dans MinIO "
                      f"/ object(s) or version(s) written to MinIO")


def _refusal_text(exc) -> str:
    from scanners.messages import MANIFEST_ERROR_HINT

    return "\n".join(["Lot refusé / batch refused:", exc.render("fr"),
                      f"→ {MANIFEST_ERROR_HINT['fr']}", f"→ {MANIFEST_ERROR_HINT['en']}"])


def _exit_code(report: dict) -> int:
    if not report["files"]["balanced"]:
        return EXIT_FAILED
    if report["files"]["quarantined"] or report["pages"]["failed"]:
        return EXIT_QUARANTINE
    return 0


@app.command()
def ingest(
    ctx: typer.Context,
    batch_dir: Annotated[Path, typer.Argument(help="The batch folder (with batch.toml)", exists=True, file_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the batch report as JSON")] = False,
) -> None:
    """Ingest a scanner batch: archive, read, PDF/A, index, report.
    Exit 0: every file archived; 5: done, but some files or pages are in quarantine;
    6: the batch was refused (manifest)."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from scanners.manifest import ManifestError

    settings = _settings(ctx)
    with_server = _use_prefect_server(settings)
    from flows import ingest as ingest_flow

    # The bar counts scanned images (a spread is one image, two pages in the report).
    labels = {"archive": "Archivage / archiving", "pages": "Images lues / images read", "pdfa": "PDF/A"}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=err_console, transient=False) as progress:
        bars: dict[str, int] = {}
        started: dict[str, float] = {}

        def report_progress(stage: str, done: int, total: int) -> None:
            import time

            if stage not in bars:
                bars[stage] = progress.add_task(labels.get(stage, stage), total=total, rate="")
                started[stage] = time.monotonic()
            elapsed = time.monotonic() - started[stage]
            rate = f"{60 * done / elapsed:.1f} images/min" if stage == "pages" and done and elapsed > 0 else ""
            progress.update(bars[stage], completed=done, total=total, rate=rate)

        ingest_flow.set_progress_reporter(report_progress)
        refused = None
        try:
            report = ingest_flow.ingest_batch(str(batch_dir.resolve()), settings)
        except ManifestError as exc:
            refused = exc
        finally:
            ingest_flow.set_progress_reporter(None)
    if refused is not None:
        # An expected outcome, told once: the problems, then what to do.
        err_console.print(_refusal_text(refused), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(report)
        console.print(f"Rapport / report: sijil batch report {report['batch_id']}")
        console.print(f"MinIO console: {settings.minio_console_url}"
                      + (f"   Prefect UI: {settings.prefect_ui_url}" if with_server else ""))
    raise typer.Exit(_exit_code(report))


batch_app = typer.Typer(help="Batches already ingested.", no_args_is_help=True)
app.add_typer(batch_app, name="batch")


@batch_app.command("report")
def batch_report(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="The batch id printed by `sijil ingest` (b-…)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the stored report of a batch."""
    import json

    from pipeline.ingest import BatchNotFound, load_report

    try:
        report = load_report(batch_id=batch_id, settings=_settings(ctx))
    except BatchNotFound as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(report)
    raise typer.Exit(_exit_code(report))


@batch_app.command("list")
def batch_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every ingested batch (from the reports stored in MinIO): date, register, files
    archived and in quarantine, pages read. Exit 1 when there is none."""
    import json
    from dataclasses import asdict

    from pipeline.ingest import list_batches

    batches = list_batches(settings=_settings(ctx))
    if as_json:
        print(json.dumps([asdict(b) for b in batches], ensure_ascii=False, indent=2))
    elif batches:
        table = Table("lot / batch", "date (UTC)", "registre / register", "archivés / archived",
                      "quarantaine / quarantined", "pages")
        for b in batches:
            reg = b.register
            table.add_row(b.batch_id, b.stored_at.replace("T", " ")[:16],
                          f"{reg.get('commune_fr', '')} ({reg.get('commune_code', '')}) {reg.get('kind', '')} "
                          f"{reg.get('year', '')} s{reg.get('series', '')} v{reg.get('volume', '')}",
                          str(b.archived), str(b.quarantined), f"{b.pages_ok}/{b.pages_total}")
        console.print(table)
        console.print("Détail / details: sijil batch report <lot / batch>")
    else:
        err_console.print("Aucun lot ingéré / no batch ingested yet (sijil ingest DIR)")
    if not batches:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def watch(
    ctx: typer.Context,
    folder: Annotated[Path | None, typer.Argument(help="Drop folder holding batch folders (default: setting hot_folder)")] = None,
    settle: Annotated[float, typer.Option(help="Seconds a folder without READY must stay unchanged")] = 30.0,
    poll: Annotated[float, typer.Option(help="Seconds between scans")] = 10.0,
    minutes: Annotated[float, typer.Option(help="Stop after this many minutes (0: run until stopped)")] = 0.0,
) -> None:
    """Hot folder: ingest every batch folder once it is complete (a READY marker, or sizes stable)."""
    settings = _settings(ctx)
    root = folder or settings.hot_folder
    if root is None or not root.is_dir():
        err_console.print("Donnez un dossier de dépôt (sijil watch DIR) ou réglez hot_folder. / "
                          "Give a drop folder (sijil watch DIR) or set hot_folder in the settings.")
        raise typer.Exit(2)
    _use_prefect_server(settings)
    from flows.watch import watch_hot_folder

    ingested = watch_hot_folder(str(root.resolve()), settle, poll, minutes, settings)
    console.print(f"{len(ingested)} lot(s) ingéré(s) / batch(es) ingested: {', '.join(ingested) or '-'}")


@app.command()
def worker(ctx: typer.Context) -> None:
    """Serve the flows as Prefect deployments (start and follow them from the Prefect UI):
    `ingest-batch/ingest` with its batch_dir parameter, and the hot-folder watcher every
    5 minutes when the hot_folder setting is set."""
    settings = _settings(ctx)
    _use_prefect_server(settings)
    from prefect import serve

    from flows.ingest import ingest_batch
    from flows.reindex import reindex_acts
    from flows.watch import watch_hot_folder

    deployments = [
        ingest_batch.to_deployment(
            name="ingest", tags=["sijil"],
            description="Ingérer un lot de numérisation : archivage, lecture, PDF/A, index, rapport. Paramètre : batch_dir."),
        reindex_acts.to_deployment(
            name="reindex", tags=["sijil"], description="Reconstruire l'index des actes depuis MinIO."),
    ]
    if settings.hot_folder is not None:
        deployments.append(watch_hot_folder.to_deployment(
            name="hot-folder", tags=["sijil"], interval=300,
            parameters={"root": str(settings.hot_folder), "run_minutes": 4.5},
            description="Surveille le dossier de dépôt et ingère chaque lot complet."))
    else:
        err_console.print("hot_folder is not set: serving the ingest deployment only.")
    serve(*deployments)


bench_app = typer.Typer(help="Benchmarks that print measured numbers.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("ingest")
def bench_ingest_command(
    ctx: typer.Context,
    batch_dir: Annotated[Path | None, typer.Option("--batch", help="Batch folder (default: the bundled sample, generated)")] = None,
    copies: Annotated[int, typer.Option(help="Without --batch: how many samples (5 pages each, different seeds)")] = 3,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds of one ingest and one floor run, order swapped each round")] = 3,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ingest a batch into scratch buckets and indices, and time raw Tesseract on the same
    pages with the same models, interleaved in rounds: pages/min, CPU s/page, per-stage
    times and the ratio to that floor."""
    import json

    from sijil.bench import bench_ingest, render_ingest_table

    settings = _settings(ctx)
    _use_prefect_server(settings)
    from flows.ingest import ingest_batch

    result = bench_ingest(settings, batch_dir=batch_dir, ingest=ingest_batch, copies=copies, rounds=rounds,
                          progress=lambda line: err_console.print(line, markup=False, highlight=False))
    print(json.dumps(result, indent=2) if as_json else render_ingest_table(result))


@bench_app.command("search")
def bench_search_command(
    ctx: typer.Context,
    records: Annotated[int, typer.Option(help="How many synthetic act records to index")] = 1_000_000,
    queries: Annotated[int, typer.Option(help="Queries per kind")] = 300,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Bulk-index synthetic act records into a scratch index, then time name and filter
    queries: indexing rate and p50/p95 latency. The scratch index is removed afterwards."""
    import json

    from search.client import connect
    from sijil.bench_search import QUERY_KINDS, bench_search

    result = bench_search(connect(_settings(ctx)), records=records, queries=queries, progress=err_console.print)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    console.print(f"{result['records']:,} acts indexed in {result['index_seconds']:.0f} s "
                  f"({result['docs_per_second']:,} docs/s; bulk alone {result['bulk_docs_per_second']:,} docs/s), "
                  f"index {result['index_size_mib']:.0f} MiB")
    for kind in QUERY_KINDS:
        r = result[kind]
        console.print(f"{kind:22s} p50 {r['p50_ms']:6.1f} ms   p95 {r['p95_ms']:6.1f} ms   ({r['queries']} queries; "
                      f"Elasticsearch took p50 {r['es_took']['p50']:.0f} / p95 {r['es_took']['p95']:.0f} ms, "
                      f"{r['searches_per_query']} searches/query)")
    console.print("load average (1 min): " + ", ".join(f"{k} {v}" for k, v in result["load_average_1min"].items())
                  + f" on {result['cpus']} CPUs")


@bench_app.command("ocr")
def bench_ocr_command(
    ctx: typer.Context,
    synthetic: Annotated[int, typer.Option(help="Synthetic register pages in the page set")] = 8,
    langs: Annotated[str, typer.Option("--lang", help="Languages for raw Tesseract and OCRmyPDF")] = "ara+fra",
    rounds: Annotated[int, typer.Option(min=1, help="Rounds, each running every reader once, order rotated")] = 3,
    no_ocrmypdf: Annotated[bool, typer.Option("--no-ocrmypdf", help="Skip OCRmyPDF (pip install '.\\[bench]')")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """On one page set, interleaved in rounds: sijil's page path, raw Tesseract with no
    preprocessing, and OCRmyPDF, all with sijil's Tesseract models: pages/min, CPU s/page,
    peak RSS, CER."""
    import json
    import tempfile

    from sijil.bench_ocr import bench_ocr, default_page_set, render_table

    with tempfile.TemporaryDirectory(prefix="sijil-bench-ocr-") as tmp:
        pages, truths = default_page_set(Path(tmp) / "pages", synthetic=synthetic)
        result = bench_ocr(pages=pages, truths=truths, langs=langs, include_ocrmypdf=not no_ocrmypdf, rounds=rounds,
                           tessdata_dir=_settings(ctx).tessdata_dir, work_dir=Path(tmp) / "work",
                           progress=lambda line: err_console.print(line, markup=False, highlight=False))
    print(json.dumps(result, indent=2) if as_json else render_table(result))


synth_app = typer.Typer(help="Synthetic register pages made by the project (with ground truth).", no_args_is_help=True)
app.add_typer(synth_app, name="synth")


@synth_app.command("sample")
def synth_sample(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the sample batch into")],
    seed: Annotated[int, typer.Option(help="Same seed, same bytes")] = 1987,
) -> None:
    """Write the bundled sample batch (bilingual and narrative pages, Arabic and French,
    one double-page spread, skewed and noisy) with its ground truth beside it."""
    from pipeline.synth.sample import make_sample_batch, truth_dir_for

    try:
        folder = make_sample_batch(out_dir, seed=seed)
    except FileExistsError as exc:
        err_console.print(str(exc))
        raise typer.Exit(EXIT_FAILED)
    console.print(f"Sample batch: {folder}   ground truth: {truth_dir_for(folder)}")


@synth_app.command("registers")
def synth_registers(
    out_dir: Annotated[Path, typer.Argument(help="Folder for the pages and their ground truth")],
    pages: Annotated[int, typer.Option("--pages", help="How many pages")] = 10,
    layout: Annotated[str, typer.Option("--layout", help="L1 (bilingual form) or L2 (narrative)")] = "L2",
    lang: Annotated[str, typer.Option("--lang", help="fr, ar or fr+ar (L1 is always fr+ar)")] = "fr",
    seed: Annotated[int, typer.Option(help="Same seed, same pages")] = 1,
    clean: Annotated[bool, typer.Option("--clean", help="No skew, noise or stains")] = False,
    typeface: Annotated[str | None, typer.Option(help="typewriter or print (default: drawn per page)")] = None,
    kind: Annotated[str, typer.Option("--kind", help="birth, marriage or death")] = "birth",
) -> None:
    """Synthetic register pages with ground truth beside each (NAME.gt.txt, NAME.fields.json),
    ready for `sijil eval ocr`."""
    from pipeline.synth.dataset import make_register_pages

    if (layout not in ("L1", "L2") or lang not in ("fr", "ar", "fr+ar") or typeface not in (None, "typewriter", "print")
            or kind not in ("birth", "marriage", "death")):
        err_console.print("--layout L1|L2, --lang fr|ar|fr+ar, --typeface typewriter|print, --kind birth|marriage|death")
        raise typer.Exit(2)
    made = make_register_pages(out_dir, pages=pages, layout=layout, lang=lang, seed=seed, degraded=not clean,
                               typeface=typeface, kind=kind)
    console.print(f"{len(made)} page(s) in {out_dir} ({layout}, {made[0].lang if made else lang})")


def _register_command_groups() -> None:
    from sijil import cli_ocr, cli_records

    cli_records.register(app, _settings)
    eval_app = cli_ocr.register(app, _settings)
    cli_records.register_eval(eval_app, _settings)


_register_command_groups()


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        err_console.print(f"[red]Erreur de configuration / configuration error:[/] {escape(str(exc))}")
        sys.exit(EXIT_CONFIG)
    except ServiceUnavailable as exc:
        err_console.print(f"[red]Service indisponible / service unavailable:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNAVAILABLE)
    except SijilError as exc:
        err_console.print(f"[red]Erreur / error:[/] {escape(str(exc))}")
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
