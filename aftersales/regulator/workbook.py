"""The report's rows as an .xlsx workbook in the template's layout, written directly as
SpreadsheetML; why not openpyxl is in docs/regulator-report.md ("Speed"). Reads no database:
`selectors.report_rows` fills the rows."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from aftersales.core.cells import neutralise
from aftersales.core.regulator import DATE, NUMBER, Template

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
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="{n}" topLeftCell="A{next}" activePane="bottomLeft" '
    'state="frozen"/><selection pane="bottomLeft" activeCell="A{next}" sqref="A{next}"/></sheetView></sheetViews>'
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

    def __init__(self, widths: list[int], *, frozen_after: int):
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
        frozen = FROZEN.format(n=frozen_after, next=frozen_after + 1)
        self.parts = [SHEET_HEAD, frozen, f"<cols>{cols}</cols>" if cols else "", "<sheetData>"]
        self.n = 0

    def append(self, values, style: int = 0) -> None:
        self.n += 1
        n = self.n
        cells = "".join(_cell(f"{LETTERS[i]}{n}", v, style) for i, v in enumerate(values))
        self.parts.append(f'<row r="{n}">{cells}</row>')

    def xml(self) -> str:
        return "".join(self.parts) + "</sheetData></worksheet>"


def workbook_bytes(rows: dict[str, list[dict]], *, template: Template) -> bytes:
    """The workbook as bytes: exactly the template's sheets, names and header rows (any rows above
    the header copied from the template), data right below the header."""
    parts = []
    for sheet in template.sheets:
        widths = [12 if c.kind in (DATE, NUMBER) else 22 for c in sheet.columns]
        ws = _SheetWriter(widths, frozen_after=sheet.header_row)
        for line in sheet.preamble:
            ws.append(list(line))
        while ws.n < sheet.header_row - 1:
            ws.append([])
        ws.append([c.header for c in sheet.columns], BOLD)
        columns = [(c.key, c.filled) for c in sheet.columns]
        for row in rows.get(sheet.key, []):
            ws.append([row.get(k) if filled else None for k, filled in columns])
        parts.append((sheet.name, ws.xml()))
    title = template.title or template.id
    generated = datetime.now(UTC)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as z:
        z.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=i + 1) for i in range(len(parts)))),
        )
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr(
            "docProps/core.xml",
            CORE.format(title=_esc(title), created=_w3c(generated)),
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
