"""The `aftersales` command line. Every command calls the core; nothing here computes a score."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aftersales.accounts.cli import register as account_commands
from aftersales.appeals.cli import register as appeal_commands
from aftersales.audits.cli import register as audit_commands
from aftersales.certificates.cli import register as certificate_commands
from aftersales.certificates.cycle.cli import register as cycle_commands
from aftersales.certification.cli import register as certification_commands
from aftersales.checklist.reader import score_checklist
from aftersales.checklist.writer import write_csv, write_xlsx
from aftersales.clikit import Lang, err, fail, out
from aftersales.core.display import format_points
from aftersales.core.problems import Problem, ProblemsError
from aftersales.core.report import result_as_json
from aftersales.core.scheme import Scheme, get_scheme, load_scheme, shipped_schemes
from aftersales.core.scoring import StarContext
from aftersales.core.text import Text, normalise_language
from aftersales.ops.cli import register as ops_commands
from aftersales.records.cli import register as record_commands
from aftersales.regulator.cli import register as regulator_commands

app = typer.Typer(
    help="aftersales-cert: GB/T 27922-2011 after-sales service schemes, scoring and certification.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
)
schemes_app = typer.Typer(help="List, show and validate schemes.", rich_markup_mode=None)
checklist_app = typer.Typer(help="Fill-in checklists (.xlsx or .csv).", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(schemes_app, name="schemes")
app.add_typer(checklist_app, name="checklist")

L = {
    "id": Text("方案", "scheme"),
    "version": Text("版本", "version"),
    "title": Text("名称", "title"),
    "total": Text("总分", "total"),
    "status": Text("性质", "status"),
    "reference": Text("参考分配", "reference allocation"),
    "official": Text("正式", "official"),
    "score": Text("得分", "score"),
    "level": Text("等级", "level"),
    "earned": Text("得分", "earned"),
    "applicable": Text("适用分", "applicable"),
    "share": Text("得分率", "share"),
    "item": Text("条款", "item"),
    "lost": Text("失分", "lost"),
    "categories": Text("各一级指标得分", "Points per category"),
    "losses": Text("失分条款", "Items that lost points"),
    "fail": Text("未通过原因", "Why it fails"),
    "next": Text("距下一等级", "To the next level"),
    "needed": Text("还需得分", "score points needed"),
    "fix": Text("按失分从大到小整改", "fix, costliest first"),
    "reach": Text("整改前 {n} 项即可达到", "fixing the first {n} reaches it"),
    "unreachable": Text("仅靠条款整改无法达到", "not reachable by fixing items alone"),
    "top": Text("已是最高等级", "already the highest level"),
    "specials": Text("特别扣分 {d} 项，特别加分 {b} 项", "{d} special deductions, {b} special bonus"),
    "saved": Text("已写出 {path}（{n} 个评分项）", "wrote {path} ({n} items)"),
    "valid": Text(
        "方案有效：{id} {version}，{n} 个评分项，SHA-256 {sha}",
        "scheme is valid: {id} {version}, {n} items, SHA-256 {sha}",
    ),
    "ref_note": Text(
        "注意：这是参考分配，不是认证机构备案的正式评分表。",
        "Note: this is a reference allocation, not a certification body's filed table.",
    ),
}


def t(key: str, lang: str, **params: object) -> str:
    return L[key].get(lang).format(**params)


def _scheme(id_or_path: str, lang: str, *, as_json: bool = False) -> Scheme:
    try:
        return get_scheme(id_or_path)
    except ProblemsError as exc:
        fail(exc.problems, lang, as_json=as_json)
        raise  # unreachable; fail() exits


# ---------------------------------------------------------------------------------- schemes


@schemes_app.callback(invoke_without_command=True)
def schemes_list(ctx: typer.Context, lang: Lang = "zh-Hans") -> None:
    """List the shipped schemes (id, version, title, total, reference or official)."""
    if ctx.invoked_subcommand is not None:
        return
    lang = normalise_language(lang)
    table = Table(t("id", lang), t("version", lang), t("title", lang), t("total", lang), t("status", lang))
    for s in shipped_schemes():
        status = t("reference", lang) if s.is_reference else t("official", lang)
        table.add_row(s.id, s.version, s.title.get(lang), format_points(s.total), status)
    out.print(table)


@schemes_app.command("show")
def schemes_show(
    scheme: Annotated[str, typer.Argument(help="Scheme id or YAML path.")], lang: Lang = "zh-Hans"
) -> None:
    """Print a scheme's tree with points and flags."""
    lang = normalise_language(lang)
    s = _scheme(scheme, lang)
    out.print(f"[bold]{s.title.get(lang)}[/bold]  {s.id} {s.version}  SHA-256 {s.sha256}")
    if s.is_reference:
        out.print(f"[yellow]{t('ref_note', lang)}[/yellow]")
    table = Table(t("item", lang), t("title", lang), "", "")
    for node in s.walk():
        flags = " ".join(
            f for f, on in (("excludable", node.excludable), ("sampled", node.sampled), ("partial", node.partial)) if on
        )
        indent = "  " * (node.depth - 1)
        style = "bold" if not node.is_item else ""
        table.add_row(node.code, f"{indent}{node.title.get(lang)}", format_points(node.points), flags, style=style)
    out.print(table)


@schemes_app.command("validate")
def schemes_validate(path: Annotated[Path, typer.Argument(help="Scheme YAML file.")], lang: Lang = "zh-Hans") -> None:
    """Check a scheme file; exits 2 and lists every problem with its node path."""
    lang = normalise_language(lang)
    try:
        s = load_scheme(path)
    except ProblemsError as exc:
        fail(exc.problems, lang)
    out.print(t("valid", lang, id=s.id, version=s.version, n=len(s.items), sha=s.sha256))


# -------------------------------------------------------------------------------- checklist


@checklist_app.command("export")
def checklist_export(
    scheme: Annotated[str, typer.Option("--scheme", help="Scheme id or YAML path.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write: .xlsx or .csv.")],
    lang: Lang = "zh-Hans",
) -> None:
    """Write a fill-in checklist for a scheme."""
    lang = normalise_language(lang)
    s = _scheme(scheme, lang)
    suffix = output.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(s, output, lang)
    elif suffix == ".csv":
        write_csv(s, output, lang)
    else:
        fail([Problem("file_type_unknown", where=str(output), params={"suffix": suffix or "-"})], lang)
    out.print(t("saved", lang, path=output, n=len(s.items)))


# ------------------------------------------------------------------------------------ score


@app.command("score")
def score_command(
    file: Annotated[Path, typer.Argument(help="Filled-in checklist (.xlsx or .csv).")],
    scheme: Annotated[str, typer.Option("--scheme", help="Scheme id or YAML path.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date (YYYY-MM-DD); default today.")] = None,
    qualified_since: Annotated[
        str | None, typer.Option("--qualified-since", help="Date first qualified (stars-after-N-months rule).")
    ] = None,
    outstanding: Annotated[
        bool, typer.Option("--outstanding", help="Outstanding enterprise: stars not deferred.")
    ] = False,
    lang: Lang = "zh-Hans",
) -> None:
    """Score a filled-in checklist and print the report (or --json)."""
    lang = normalise_language(lang)
    s = _scheme(scheme, lang, as_json=as_json)
    stars = None
    if s.parameters.stars_after_months:
        stars = StarContext(
            as_of=_date(as_of, "--as-of", lang) if as_of else date.today(),
            qualified_since=_date(qualified_since, "--qualified-since", lang) if qualified_since else None,
            outstanding=outstanding,
        )
    try:
        result = score_checklist(s, file, stars=stars)
    except ProblemsError as exc:
        fail(exc.problems, lang, as_json=as_json, key="invalid_score")
    if as_json:
        out.print_json(json.dumps(result_as_json(s, result, lang), ensure_ascii=False))
        return
    _print_report(s, result, lang)


def _date(text: str, option: str, lang: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = (
            f"{option}: '{text}' is not a date (YYYY-MM-DD)"
            if lang == "en"
            else f"{option}：“{text}” 不是日期（YYYY-MM-DD）"
        )
        err.print(msg, markup=False)
        raise typer.Exit(2) from None


def _print_report(s: Scheme, r, lang: str) -> None:
    level = r.level.text.get(lang)
    colour = "red" if not r.passed else "green"
    out.print(f"[bold]{s.title.get(lang)}[/bold]  {s.id} {s.version}  SHA-256 {s.sha256[:16]}…")
    if s.is_reference:
        out.print(f"[yellow]{t('ref_note', lang)}[/yellow]")
    out.print(
        f"{t('score', lang)}: [bold]{r.display_score}[/bold]   {t('level', lang)}: [bold {colour}]{level}[/]   "
        + t("specials", lang, d=len(r.deductions), b=len(r.bonuses))
    )
    for reason in r.fail_reasons + r.notes:
        out.print(f"  [red]•[/red] {reason.message(lang)}", markup=True)

    table = Table(title=t("categories", lang))
    for col in ("item", "title", "earned", "applicable", "share"):
        table.add_column(t(col, lang), justify="right" if col in {"earned", "applicable", "share"} else "left")
    for top in s.nodes:
        ns = r.nodes[top.id]
        share = r.display(ns.earned / ns.applicable * 100) + "%" if ns.applicable else "—"
        table.add_row(top.code, top.title.get(lang), r.display(ns.earned), r.display(ns.applicable), share)
    out.print(table)

    losers = r.losses
    if losers:
        table = Table(title=t("losses", lang))
        for col in ("item", "title", "lost"):
            table.add_column(t(col, lang), justify="right" if col == "lost" else "left")
        for g in losers:
            node = s.node(g.item_id)
            table.add_row(node.code, node.title.get(lang), r.display(g.lost))
        out.print(table)

    if r.gap is None:
        out.print(f"{t('next', lang)}: {t('top', lang)}")
        return
    gap = r.gap
    needed = r.display_gap(gap.score_needed)  # rounded up: the shown score plus this reaches the level
    out.print(f"[bold]{t('next', lang)} {gap.level.text.get(lang)}[/bold]: {t('needed', lang)} {needed}")
    for blocker in gap.blockers:
        out.print(f"  [red]•[/red] {blocker.message(lang)}")
    if gap.items_to_reach:
        codes = ", ".join(s.node(g.item_id).code for g in gap.top_gaps[: gap.items_to_reach])
        out.print(f"  {t('reach', lang, n=gap.items_to_reach)}: {codes}")
    elif gap.items_to_reach is None:
        out.print(f"  {t('unreachable', lang)}")


record_commands(app)
certification_commands(app)
audit_commands(app)
certificate_commands(app)
cycle_commands(app)
regulator_commands(app)
ops_commands(app)
appeal_commands(app)
account_commands(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
