"""`aftersales` commands of the records app; `register(app)` is called by aftersales/cli.py.

aftersales records import FILE --enterprise CODE --kind KIND --mapping MAP [--dry-run] [--json]
aftersales records sample --enterprise CODE --kind KIND --n N [--seed S] [--method M] [--json]
aftersales kpi --enterprise CODE [--from DATE --to DATE] [--json]
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from aftersales.clikit import django_setup, err, fail, out
from aftersales.core.problems import Problem, problem_from_json
from aftersales.core.text import Text, normalise_language

ACTOR = "command:records"

KINDS = ("complaint", "work_order", "return_visit", "survey")

L = {
    "no_enterprise": Text("没有统一社会信用代码为 {code} 的企业", "no enterprise with the credit code {code}"),
    "bad_kind": Text("未知记录类型 “{kind}”；可用：{allowed}", "unknown record kind '{kind}'; use one of: {allowed}"),
    "unreadable": Text("无法读取文件 {path}：{error}", "cannot read {path}: {error}"),
    "done": Text(
        "{file}：读取 {rows} 行，{records} 条记录；新增 {inserted}，更新 {updated}，"
        "未变 {unchanged}；状态事件新增 {events}",
        "{file}: {rows} rows read, {records} records; {inserted} inserted, {updated} updated, {unchanged} unchanged; "
        "{events} status events added",
    ),
    "dry": Text("试运行：未写入任何数据。", "Dry run: nothing was written."),
    "sampled": Text(
        "样本 #{id}：从 {size} 条中抽取 {n} 条（方法 {method}，种子 {seed}，总体 SHA-256 {hash}）",
        "sample #{id}: {n} of {size} records (method {method}, seed {seed}, population SHA-256 {hash})",
    ),
    "kpi_head": Text(
        "服务指标 {name}（{period}，日历 {calendar}）", "Service KPIs of {name} ({period}, calendar {calendar})"
    ),
    "bad_date": Text("{option}：“{value}” 不是日期（YYYY-MM-DD）", "{option}: '{value}' is not a date (YYYY-MM-DD)"),
}


def t(key: str, lang: str, **params: object) -> str:
    return L[key].get(lang).format(**params)


Lang = Annotated[str, typer.Option("--lang", help="Language of the output: zh-Hans (default) or en.")]
Enterprise = Annotated[str, typer.Option("--enterprise", help="The enterprise's unified social credit code.")]
KindOpt = Annotated[str, typer.Option("--kind", help="complaint | work_order | return_visit | survey")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
DateFrom = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
DateTo = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")]


def _refuse(message: str, *, as_json: bool) -> None:

    if as_json:
        out.print_json(json.dumps({"error": message}, ensure_ascii=False))
    else:
        err.print(message, markup=False)
    raise typer.Exit(2)


def _enterprise(code: str, lang: str, as_json: bool):
    from aftersales.accounts.models import Organisation

    enterprise = Organisation.objects.filter(credit_code=code.strip().upper(), kind="enterprise").first()
    if enterprise is None:
        _refuse(t("no_enterprise", lang, code=code), as_json=as_json)
    return enterprise


def _kind(kind: str, lang: str, as_json: bool) -> str:
    if kind not in KINDS:
        _refuse(t("bad_kind", lang, kind=kind, allowed=", ".join(KINDS)), as_json=as_json)
    return kind


def _date(value: str | None, option: str, lang: str, as_json: bool) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _refuse(t("bad_date", lang, option=option, value=value), as_json=as_json)


def _mapping(name: str, lang: str, as_json: bool) -> tuple[Path, bytes]:
    """(path, bytes) of the mapping `name`: a shipped mapping's name or a file."""
    from aftersales.core.records.mapping import shipped_mappings

    shipped = shipped_mappings()
    path = shipped.get(name) or Path(name)
    try:
        return path, path.read_bytes()
    except OSError:
        fail(
            [Problem("records_mapping_unknown", where=name, params={"name": name, "known": ", ".join(shipped)})],
            lang,
            as_json=as_json,
        )


def _import_failed(ri, lang: str, as_json: bool) -> None:
    """Exits 2 with the problems a failed import recorded."""
    problems = [problem_from_json(p) for p in ri.problems if p.get("code")]
    others = [p for p in ri.problems if not p.get("code")]
    if others:
        _refuse("; ".join(f"{p['message'] % {'error': p['error']}}" for p in others), as_json=as_json)
    fail(problems, lang, as_json=as_json)


def records_import_command(
    file: Annotated[Path, typer.Argument(help="The export to import (.csv or .xlsx).")],
    enterprise: Enterprise,
    kind: KindOpt,
    mapping: Annotated[str, typer.Option("--mapping", help="Mapping YAML file, or a shipped mapping's name.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count; write nothing.")] = False,
    as_json: AsJson = False,
    lang: Lang = "zh-Hans",
) -> None:
    """Import records; exits 2 listing every problem by row and column (nothing is written then)."""

    django_setup()
    from aftersales.core.problems import ProblemsError

    from .services import records_import

    lang = normalise_language(lang)
    ent = _enterprise(enterprise, lang, as_json)
    kind = _kind(kind, lang, as_json)
    try:
        data = file.read_bytes()
    except OSError as exc:
        _refuse(t("unreadable", lang, path=file, error=exc.strerror), as_json=as_json)
    mapping_path, mapping_bytes = _mapping(mapping, lang, as_json)
    try:
        ri = records_import(
            enterprise=ent,
            kind=kind,
            data=data,
            filename=file.name,
            mapping=mapping_bytes,
            mapping_name=mapping_path.stem,
            by_label=ACTOR,
            dry_run=dry_run,
        )
    except ProblemsError as exc:  # pragma: no cover - the service reports problems on the import
        fail(exc.problems, lang, as_json=as_json)
    if ri.status == "failed":
        _import_failed(ri, lang, as_json)
    counts = {k: getattr(ri, k) for k in ("records", "inserted", "updated", "unchanged", "events")}
    if as_json:
        body = {"import": ri.pk, "dry_run": dry_run, "rows": ri.rows_total, "file": file.name, **counts}
        out.print_json(json.dumps(body, ensure_ascii=False))
        return
    out.print(t("done", lang, file=file.name, rows=ri.rows_total, **counts), markup=False)
    if dry_run:
        out.print(t("dry", lang), markup=False)


def records_sample_command(
    enterprise: Enterprise,
    kind: KindOpt,
    n: Annotated[int, typer.Option("--n", help="Sample size.")],
    seed: Annotated[str, typer.Option("--seed", help="Seed (default: a new random one, printed).")] = "",
    method: Annotated[str, typer.Option("--method", help="simple | stratified-month | stratified-category")] = "simple",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    as_json: AsJson = False,
    lang: Lang = "zh-Hans",
) -> None:
    """Draw a reproducible audit sample and print the drawn record ids."""

    django_setup()
    from aftersales.core.problems import ProblemsError

    from .services import sample_draw

    lang = normalise_language(lang)
    ent = _enterprise(enterprise, lang, as_json)
    kind = _kind(kind, lang, as_json)
    start, end = _date(date_from, "--from", lang, as_json), _date(date_to, "--to", lang, as_json)
    try:
        sample = sample_draw(
            enterprise=ent,
            kind=kind,
            n=n,
            seed=seed,
            method=method,
            date_from=start,
            date_to=end,
            by_label=ACTOR,
        )
    except ProblemsError as exc:
        fail(exc.problems, lang, as_json=as_json)
    keys = list(sample.entries.values_list("record_key", flat=True))
    if as_json:
        body = {
            "sample": sample.pk,
            "kind": kind,
            "n": sample.n,
            "seed": sample.seed,
            "method": sample.method,
            "frame_hash": sample.frame_hash,
            "frame_size": sample.frame_size,
            "keys": keys,
        }
        out.print_json(json.dumps(body, ensure_ascii=False))
        return
    out.print(
        t(
            "sampled",
            lang,
            id=sample.pk,
            n=sample.n,
            size=sample.frame_size,
            method=sample.method,
            seed=sample.seed,
            hash=sample.frame_hash[:16] + "…",
        ),
        markup=False,
    )
    for key in keys:
        out.print(f"  {key}", markup=False)


def kpi_command(
    enterprise: Enterprise,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    as_json: AsJson = False,
    lang: Lang = "zh-Hans",
) -> None:
    """The service KPIs of an enterprise's records (wall-clock and business time)."""
    from rich.table import Table

    django_setup()
    from aftersales.core.problems import ProblemsError

    from .kpis import kpi_report
    from .presenters import kpi_value_text

    lang = normalise_language(lang)
    ent = _enterprise(enterprise, lang, as_json)
    start, end = _date(date_from, "--from", lang, as_json), _date(date_to, "--to", lang, as_json)
    try:
        report = kpi_report(ent, date_from=start, date_to=end)
    except ProblemsError as exc:
        fail(exc.problems, lang, as_json=as_json)
    if as_json:
        body = {"enterprise": ent.credit_code, **report.as_json()}
        out.print_json(json.dumps(body, ensure_ascii=False))
        return
    period = f"{start or '…'} – {end or '…'}"
    out.print(t("kpi_head", lang, name=ent.name, period=period, calendar=report.calendar_id), markup=False)
    en = lang == "en"
    table = Table("KPI" if en else "指标", "value" if en else "数值", "n" if en else "分母", "cohort" if en else "口径")
    for k in report.kpis:
        table.add_row(k.title.get(lang), kpi_value_text(k, lang), str(k.denominator), k.cohort.get(lang))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add this app's commands to the main CLI."""
    records_app = typer.Typer(help="Service records: import, sample.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(records_app, name="records")
    records_app.command("import")(records_import_command)
    records_app.command("sample")(records_sample_command)
    app.command("kpi")(kpi_command)
