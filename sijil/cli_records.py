"""`sijil` commands about acts: name search, records (show, correct, import), the review
queue, reindexing. Every command that shows an act writes an audit event first."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sijil.settings import Settings

console = Console()
err_console = Console(stderr=True)


def _reader() -> str:
    return getpass.getuser()


def _services(settings: Settings):
    from pipeline.ingest import buckets_for
    from search.client import connect
    from storage.objects import ObjectStore

    return ObjectStore.from_settings(settings), connect(settings), buckets_for(settings).records


def _audit(settings: Settings, store, *, who: str, action: str, act_ids: list[str], detail: dict) -> None:
    from storage.audit import record_event

    record_event(store, bucket_prefix=settings.bucket_prefix, who=who, action=action, act_ids=act_ids, detail=detail)


def _value(field) -> str:
    if not isinstance(field, dict):
        return str(field)
    parts = [field.get(k) for k in ("lat", "ar", "value") if field.get(k)]
    if not parts and any(isinstance(v, dict) for v in field.values()):
        parts = [_value(v) for k, v in field.items() if isinstance(v, dict) and k not in ("ocr", "corrected")]
    text = " / ".join(str(p) for p in parts)
    if field.get("conf") is not None:
        text += f"  ({field['conf']:.2f})"
    if field.get("corrected"):
        text += f"  [corrigé par {field['corrected']['by']}]"
    return text


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused edit as an exit code: 2 for a field or value the act does not take, 7 for
    a stale edit (the act changed since the editor read it; nothing was written)."""
    from pipeline.records import InvalidCorrection, StaleEdit

    try:
        yield
    except StaleEdit as exc:
        err_console.print(f"[red]Correction refusée / correction refused:[/] {escape(str(exc))}")
        raise typer.Exit(7) from None
    except InvalidCorrection as exc:
        err_console.print(f"[red]Correction refusée / correction refused:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None


def print_history_entry(entry: dict) -> None:
    head = f"  r{entry.get('revision')} {entry.get('at', '')} {entry.get('by')}: "
    why = escape(str(entry.get("why"))) + (f" ({escape(entry['note'])})" if entry.get("note") else "")
    if "changes" in entry:  # sijil's own re-reading: every leaf it changed
        more = entry.get("changed", 0) - len(entry["changes"])
        console.print(head + f"{entry.get('changed', 0)} valeur(s) / value(s) — {why}")
        for change in entry["changes"]:
            console.print(f"      {change['field']} « {escape(str(change['old']))} » → « {escape(str(change['new']))} »")
        if more > 0:
            console.print(f"      … +{more}")
        return
    console.print(head + f"{entry.get('field')} « {escape(str(entry.get('old')))} » → "
                  f"« {escape(str(entry.get('new')))} » — {why}")


def _subject(record: dict) -> str:
    """The act's subject as a reader names it: SURNAME Given (both scripts when read)."""
    fields = record.get("fields", {})
    people = [fields] if "surname" in fields else [fields.get(r, {}) for r in ("husband", "wife")]
    names = []
    for person in people:
        for script in ("lat", "ar"):
            parts = [(person.get(p) or {}).get(script) for p in ("surname", "given")]
            if any(parts):
                names.append(" ".join(p for p in parts if p))
    return " / ".join(names) or "?"


def print_record(record: dict) -> None:
    reg = record["register"]
    console.print(f"[bold]{record['act_id']}[/]  {record['kind']}  {reg.get('commune', {}).get('fr', '')} "
                  f"{reg['year']} série {reg['series']}  acte n° {record['number']}{record.get('suffix') or ''}"
                  f"  — révision {record.get('revision', 1)}, {record.get('review', {}).get('status')}")
    table = Table("champ / field", "valeur / value")
    for name, field in record.get("fields", {}).items():
        table.add_row(name, escape(_value(field)))
    console.print(table)
    reasons = record.get("review", {}).get("reasons") or []
    if reasons:
        console.print("À revoir / to review: " + ", ".join(reasons))


def register(app: typer.Typer, get_settings: Callable[[typer.Context], Settings]) -> None:
    records_app = typer.Typer(help="Act records: show, correct, import.", no_args_is_help=True)
    review_app = typer.Typer(help="The review queue.", no_args_is_help=True)
    reindex_app = typer.Typer(help="Rebuild search indices from MinIO.", no_args_is_help=True)
    app.add_typer(records_app, name="records")
    app.add_typer(review_app, name="review")
    app.add_typer(reindex_app, name="reindex")

    @records_app.command("show")
    def show(ctx: typer.Context, act_id: str,
             history: Annotated[bool, typer.Option("--history", help="Every revision, who, when, why")] = False,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Show one act (the read is audited)."""
        from pipeline.record_store import load_record, record_history

        settings = get_settings(ctx)
        store, es, bucket = _services(settings)
        _audit(settings, store, who=_reader(), action="show", act_ids=[act_id], detail={"history": history})
        record = load_record(store, bucket=bucket, act_id=act_id).record
        if as_json:
            print(json.dumps(record_history(store, bucket=bucket, act_id=act_id) if history else record,
                             ensure_ascii=False, indent=2))
            return
        print_record(record)
        if history:
            for entry in record.get("history", []):
                print_history_entry(entry)

    @records_app.command("correct")
    def correct(ctx: typer.Context, act_id: str, field: Annotated[str, typer.Argument(help="e.g. surname.lat, given.ar, event_date")],
                value: str,
                reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history)")],
                user: Annotated[str, typer.Option("--user", help="Who corrects")],
                revision: Annotated[int | None, typer.Option("--revision", help="The revision you read (default: the current one)")] = None,
                ) -> None:
        """Correct one field: a new version of the record, the old value and the OCR reading kept.
        A stale edit (the act changed since the revision you read) is refused: exit 7."""
        from pipeline.record_store import correct_record, load_record

        settings = get_settings(ctx)
        store, es, bucket = _services(settings)
        expected = revision if revision is not None else load_record(store, bucket=bucket, act_id=act_id).record["revision"]
        with _refusals():
            updated = correct_record(store, es, bucket=bucket, index_prefix=settings.index_prefix, act_id=act_id,
                                     field=field, value=value, reason=reason, user=user, expected_revision=expected)
        entry = updated["history"][-1]
        _audit(settings, store, who=user, action="correct", act_ids=[act_id],
               detail={"field": entry["field"], "revision": updated["revision"]})
        console.print(f"{act_id}: {entry['field']} = « {escape(str(entry['new']))} » (révision {updated['revision']}, "
                      f"{updated['review']['status']})")

    @records_app.command("verify")
    def verify(ctx: typer.Context, act_id: str,
               field: Annotated[str, typer.Argument(help="e.g. surname.lat, surname (both scripts), event_date")],
               user: Annotated[str, typer.Option("--user", help="Who confirms")],
               reason: Annotated[str | None, typer.Option("--reason", help="A note kept in the history")] = None,
               revision: Annotated[int | None, typer.Option("--revision", help="The revision you read (default: the current one)")] = None,
               ) -> None:
        """Confirm that the machine read one field right, without changing it: a new version
        of the record, the field marked verified and its review reasons answered. Exit 2 for
        an unknown field, 7 for a stale edit."""
        from pipeline.record_store import load_record, verify_record

        settings = get_settings(ctx)
        store, es, bucket = _services(settings)
        expected = revision if revision is not None else load_record(store, bucket=bucket, act_id=act_id).record["revision"]
        with _refusals():
            updated = verify_record(store, es, bucket=bucket, index_prefix=settings.index_prefix, act_id=act_id,
                                    field=field, user=user, reason=reason, expected_revision=expected)
        _audit(settings, store, who=user, action="verify", act_ids=[act_id],
               detail={"field": field, "revision": updated["revision"]})
        console.print(f"{act_id}: {field} vérifié / verified (révision {updated['revision']}, "
                      f"{updated['review']['status']})")

    @records_app.command("import")
    def import_records(ctx: typer.Context, file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
                       user: Annotated[str, typer.Option("--user")] = "",
                       reason: Annotated[str, typer.Option("--reason")] = "import of keyed records") -> None:
        """Import records keyed elsewhere (.jsonl or .csv): validated, upserted by act_id, indexed.
        A bad line is reported with its number and skipped; exit 5 if any."""
        from pipeline.errors import SijilError
        from pipeline.record_store import load_record, read_import_file, upsert_record
        from search.acts import index_acts

        settings = get_settings(ctx)
        store, es, bucket = _services(settings)
        store.ensure_bucket(bucket, versioned=True)
        who = user or _reader()
        counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        touched = []
        for line, record in read_import_file(file):
            try:
                outcome = upsert_record(store, bucket=bucket, record=record, user=who, reason=reason)
            except SijilError as exc:
                counts["refused"] += 1
                err_console.print(f"{file.name} ligne/line {line}: {escape(exc.message)}")
                continue
            counts[outcome.action] += 1
            if outcome.action != "unchanged":
                touched.append(outcome.act_id)
        for start in range(0, len(touched), 1000):
            chunk = [load_record(store, bucket=bucket, act_id=a).record for a in touched[start:start + 1000]]
            index_acts(es, index_prefix=settings.index_prefix, records=chunk)
        _audit(settings, store, who=who, action="import", act_ids=touched, detail={"file": file.name, **counts})
        console.print(", ".join(f"{k}: {v}" for k, v in counts.items()))
        if counts["refused"]:
            raise typer.Exit(5)

    @review_app.command("list")
    def review_list(ctx: typer.Context, size: Annotated[int, typer.Option("--size", "-n")] = 20,
                    as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Acts waiting for review, weakest field first (the read is audited)."""
        from pipeline.records import weakest_field
        from search.acts import review_queue

        settings = get_settings(ctx)
        store, es, _ = _services(settings)
        total, hits = review_queue(es, index_prefix=settings.index_prefix, size=size)
        _audit(settings, store, who=_reader(), action="review-list", act_ids=[h.act_id for h in hits], detail={})
        if as_json:
            print(json.dumps({"total": total, "acts": [h.record for h in hits]}, ensure_ascii=False, indent=2))
            return
        console.print(f"{total} acte(s) à revoir / act(s) to review — le champ le plus faible d'abord / "
                      "weakest field first")
        rows = [(hit, weakest_field(hit.record.get("fields", {}))) for hit in hits]
        # The index orders by the weakest field's confidence (any depth); a missing field,
        # with no confidence, comes first on the page shown.
        rows.sort(key=lambda row: (row[1][1] if row[1] else -1.0, row[0].act_id))
        for hit, weakest in rows:
            # One line per act (greppable, never cut by the terminal's width).
            record = hit.record
            console.print(f"  {hit.act_id}  n° {record.get('number')}{record.get('suffix') or ''}  "
                          f"{escape(_subject(record))}  — "
                          f"{f'{weakest[0]} ({weakest[1]:.2f})' if weakest else '-'}  "
                          f"[{escape(', '.join(record.get('review', {}).get('reasons', [])))}]",
                          soft_wrap=True)

    @reindex_app.command("acts")
    def reindex_acts(ctx: typer.Context) -> None:
        """Drop the act index and rebuild it from the records in MinIO (a Prefect flow)."""
        from sijil.cli import _use_prefect_server

        settings = get_settings(ctx)
        _use_prefect_server(settings)
        from flows.reindex import reindex_acts as reindex_flow

        count = reindex_flow(settings)
        console.print(f"{count} acte(s) indexé(s) / act(s) indexed")


def register_eval(eval_app: typer.Typer, get_settings: Callable[[typer.Context], Settings]) -> None:
    @eval_app.command("names")
    def eval_names(ctx: typer.Context,
                   pairs_tsv: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                             help="kind<TAB>arabic<TAB>latin (spellings separated by |)")],
                   memory: Annotated[bool, typer.Option("--memory", help="Use the in-memory reference search, not Elasticsearch")] = False,
                   as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Cross-script name search: index synthetic act records carrying the Arabic forms
        (and, separately, the Latin forms), query every other-script form; recall@1,
        recall@10, p50/p95 latency, both directions."""
        from search.name_eval import evaluate_names, summary_lines

        if memory:
            report = evaluate_names(pairs_tsv=pairs_tsv)
        else:
            from search.client import connect
            from sijil.eval_names import evaluate_names_on_elasticsearch

            report = evaluate_names_on_elasticsearch(connect(get_settings(ctx)), pairs_tsv=pairs_tsv)
        if as_json:
            print(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for line in summary_lines(report):
                console.print(line)

    @eval_app.command("extract")
    def eval_extract(ctx: typer.Context,
                     dataset: Annotated[Path, typer.Argument(exists=True, file_okay=False,
                                                             help="Pages with NAME.fields.json beside (sijil synth registers)")],
                     lang: Annotated[str, typer.Option("--lang")] = "ara+fra",
                     keep_ocr: Annotated[Path | None, typer.Option(
                         "--keep-ocr", file_okay=False,
                         help="Keep each page's OCR (TSV) in this folder and reuse it when the page image "
                              "is not newer: re-scores extraction changes without reading the pages again")] = None,
                     as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Field extraction against ground truth: accuracy per field and overall, and the
        precision of the fields accepted without review."""
        import shutil
        import tempfile

        from pipeline.extract.evaluate import evaluate_extraction
        from pipeline.read import read_document

        settings = get_settings(ctx)
        with tempfile.TemporaryDirectory(prefix="sijil-eval-extract-") as tmp:
            def read_tsv(image: Path) -> Path:
                kept = keep_ocr / f"{image.stem}.{lang}.tsv" if keep_ocr is not None else None
                if kept is not None and kept.is_file() and kept.stat().st_mtime >= image.stat().st_mtime:
                    return kept
                # sijil's own page path (the one the ingest flow runs), not bare Tesseract.
                reading = read_document(path=image, langs=lang, work_dir=Path(tmp) / image.stem,
                                        tessdata_dir=settings.tessdata_dir)
                tsv = reading.pages[0].parts[0].ocr.tsv_path
                if kept is None:
                    return tsv
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(tsv, kept)
                return kept

            report = evaluate_extraction(dataset=dataset, read_tsv=read_tsv, threshold=settings.review_threshold)
        if as_json:
            print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        else:
            overall = report["overall"]
            console.print(f"{report['pages']} page(s), {report['acts']['matched']}/{report['acts']['truth']} act(s) found, "
                          f"review threshold {report['threshold']}")
            console.print(f"field accuracy {overall['accuracy']:.3f} ({overall['items']} fields); auto-accepted "
                          f"{overall['auto_accepted_share']:.2f} of fields with precision "
                          f"{overall['auto_accepted_precision'] if overall['auto_accepted_precision'] is not None else '-'}")
            for kind, summary in report.get("by_kind", {}).items():
                console.print(f"  {kind:12s} accuracy {summary['accuracy']:.3f}  auto-accepted precision "
                              f"{summary['auto_accepted_precision'] if summary['auto_accepted_precision'] is not None else '-'}")
            for kind, summary in report.get("by_act_kind", {}).items():
                console.print(f"  {kind + ' acts':12s} accuracy {summary['accuracy']:.3f} ({summary['items']} fields)  "
                              f"auto-accepted {summary['auto_accepted_share']:.2f} with precision "
                              f"{summary['auto_accepted_precision'] if summary['auto_accepted_precision'] is not None else '-'}")
