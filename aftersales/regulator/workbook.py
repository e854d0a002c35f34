"""The monthly report's rows as an .xlsx workbook, written directly as SpreadsheetML; the layout, and
why not openpyxl, are in docs/regulator-report.md ("Layout", "Speed"). Reads no database:
`selectors.report_rows` fills the rows."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from aftersales.core.cells import neutralise
from aftersales.core.regulator import DATE, NUMBER, SHEETS, Sheet

FORMATS = {"text": "文本 text", "id": "编号（大写） id, upper-case", "date": "日期 yyyy-mm-dd", "number": "数字 number"}
LAYOUT = "aftersales-regulator/1"
EPOCH = date(1899, 12, 30)
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# style ids of styles.xml below: 0 normal, 1 bold (headers), 2 date
BOLD, DATE_STYLE = 1, 2

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}"
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)
CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>aftersales-cert</dc:creator>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
    "</cp:coreProperties>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{sheets}"
    '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)
FROZEN = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
)


def _esc(text: str) -> str:
    text = _BAD_XML.sub(" ", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


LETTERS = [_letter(i) for i in range(64)]


def _cell(ref: str, value, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style or DATE_STYLE}"><v>{(value - EPOCH).days}</v></c>'
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    text = neutralise(str(value))  # never a formula, not even once someone edits the cell
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_esc(text)}</t></is></c>'


class _SheetWriter:
    """Rows appended one at a time into a list of XML fragments."""

    def __init__(self, widths: list[int], *, frozen: bool):
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
        self.parts = [SHEET_HEAD, FROZEN if frozen else "", f"<cols>{cols}</cols>" if cols else "", "<sheetData>"]
        self.n = 0

    def append(self, values, style: int = 0) -> None:
        self.n += 1
        n = self.n
        cells = "".join(_cell(f"{LETTERS[i]}{n}", v, style) for i, v in enumerate(values))
        self.parts.append(f'<row r="{n}">{cells}</row>')

    def xml(self) -> str:
        return "".join(self.parts) + "</sheetData></worksheet>"


def workbook_bytes(rows: dict[str, list[dict]], *, meta: dict, sheets: tuple[Sheet, ...] = SHEETS) -> bytes:
    """The workbook as bytes. `meta`: cb (name), cb_code, month (date), generated_at (datetime)."""
    month = meta["month"]
    generated = meta["generated_at"]
    generated_text = generated.strftime("%Y-%m-%d %H:%M:%S") if isinstance(generated, datetime) else str(generated)

    about = _SheetWriter([30, 34, 30, 18, 14, 34, 28], frozen=False)
    about.append(["认证机构月度报送 Monthly report to the regulator"], BOLD)
    for k, v in (
        ("认证机构 Certification body", meta.get("cb", "")),
        ("机构代码 Code", meta.get("cb_code", "")),
        ("报送月份 Month", f"{month:%Y-%m}"),
        ("生成时间 Generated at", generated_text),
        ("格式 Layout", f"{LAYOUT}（本项目格式，非 CNCA 官方模板 the project's layout, not the official one）"),
    ):
        about.append([k, v])
    about.append([])
    about.append(["工作表 Sheet", "行数 Rows"], BOLD)
    for sheet in sheets:
        about.append([f"{sheet.zh} {sheet.en}", len(rows.get(sheet.key, []))])
    about.append([])
    about.append(
        ["工作表 Sheet", "列名 Header", "Column", "键 Key", "必填 Required", "格式 Format", "引用 Refers to"], BOLD
    )
    for sheet in sheets:
        for col in sheet.columns:
            fmt = FORMATS[col.kind] + ("，须在报送月份内 in the month" if col.in_month else "")
            about.append([sheet.zh, col.zh, col.en, col.key, "是 yes" if col.required else "否 no", fmt, col.refers_to])

    parts = [("说明 About", about.xml())]
    for sheet in sheets:
        widths = [12 if c.kind in (DATE, NUMBER) else 22 for c in sheet.columns]
        ws = _SheetWriter(widths, frozen=True)
        ws.append([c.zh for c in sheet.columns], BOLD)
        keys = [c.key for c in sheet.columns]
        for row in rows.get(sheet.key, []):
            ws.append([row.get(k) for k in keys])
        parts.append((sheet.zh, ws.xml()))

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as z:
        z.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=i + 1) for i in range(len(parts)))),
        )
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr(
            "docProps/core.xml",
            CORE.format(title=_esc(f"{meta.get('cb', '')} {month:%Y-%m}"), created=_w3c(generated)),
        )
        z.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{_esc(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, (name, _) in enumerate(parts)
                )
            ),
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(
                sheets="".join(
                    f'<Relationship Id="rId{i + 1}" '
                    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                    f'Target="worksheets/sheet{i + 1}.xml"/>'
                    for i in range(len(parts))
                )
            ),
        )
        z.writestr("xl/styles.xml", STYLES)
        for i, (_, xml) in enumerate(parts):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return buf.getvalue()


def _w3c(at) -> str:
    if isinstance(at, datetime):
        return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at.utcoffset() is None else at.isoformat(timespec="seconds")
    return "1970-01-01T00:00:00Z"
