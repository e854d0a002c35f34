"""The WebService channel: one record per message, as JSON or XML, handed to an adapter.

CNCA's WebService endpoint is not reachable from here and its schema is not public, so a message
is shaped from the template (the sheet's name, each column's key and header) and the adapter is
replaceable: `REGULATOR_CHANNEL` names a class with `send(message: Message) -> str` (a receipt).
The default, `OutboxChannel`, writes each message as a file under MEDIA_ROOT/regulator/outbox/,
for an operator (or a later adapter) to deliver.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.utils.module_loading import import_string

from aftersales.core.regulator import Sheet, Template


@dataclass(frozen=True)
class Message:
    """One record for the WebService: which CB, sheet and template, its fields, and its text."""

    cb_code: str
    sheet: str
    key: str  # the row's id (plan, report or certificate number)
    fmt: str  # "json" or "xml"
    body: bytes


class Channel(Protocol):
    def send(self, message: Message) -> str: ...


def _value(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    return "" if value is None else str(value)


def fields(sheet: Sheet, row: dict) -> list[tuple[str, str, str]]:
    """[(key, header, value)] in the template's column order (empty for columns we do not fill)."""
    return [(c.key, c.header, _value(row.get(c.key)) if c.filled else "") for c in sheet.columns]


def record_json(template: Template, sheet: Sheet, row: dict, cb_code: str) -> dict:
    return {
        "template": template.id,
        "cb": cb_code,
        "sheet": sheet.name,
        "fields": [{"key": k, "name": h, "value": v} for k, h, v in fields(sheet, row)],
    }


def record_xml(template: Template, sheet: Sheet, row: dict, cb_code: str) -> str:
    cells = "".join(
        f"<field key={quoteattr(k)} name={quoteattr(h)}>{_esc(v)}</field>" for k, h, v in fields(sheet, row)
    )
    return (
        f"<record template={quoteattr(template.id)} cb={quoteattr(cb_code)} sheet={quoteattr(sheet.name)}>"
        f"{cells}</record>"
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message_for(template: Template, sheet: Sheet, row: dict, *, key: str, cb_code: str, fmt: str) -> Message:
    if fmt == "json":
        body = json.dumps(record_json(template, sheet, row, cb_code), ensure_ascii=False, indent=1).encode()
    else:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + record_xml(template, sheet, row, cb_code)).encode()
    return Message(cb_code=cb_code, sheet=sheet.name, key=key, fmt=fmt, body=body)


class OutboxChannel:
    """Writes each message to MEDIA_ROOT/regulator/outbox/<cb>/<sheet>-<id>.<fmt> (a later message
    for the same record replaces the file); the receipt is the file's path."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or Path(settings.MEDIA_ROOT) / "regulator" / "outbox")

    def send(self, message: Message) -> str:
        folder = self.root / message.cb_code
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in message.key)
        path = folder / f"{message.sheet}-{safe}.{message.fmt}"
        path.write_bytes(message.body)
        return str(path.relative_to(self.root))


def channel() -> Channel:
    """The configured adapter (setting REGULATOR_CHANNEL, a dotted class path), else the outbox."""
    name = getattr(settings, "REGULATOR_CHANNEL", "") or ""
    return import_string(name)() if name else OutboxChannel()
