"""The text a certificate PDF's page shows, read with the standard library only.

pypdf is not in the lock, and `aftersales certificate verify` must run offline without Django, so
this reads what the verifier needs and no more: the indirect objects (also inside object streams),
the one page's content stream and the form XObjects it draws, and each font's `/ToUnicode` CMap
(two-byte Identity-H codes, as WeasyPrint writes them; one-byte codes for simple fonts, read as
cp1252 when they have no map). Text objects become lines ("\\n" where a text object starts or the
text moves to another line), in the order they are drawn.

It refuses (`Unreadable`) what it cannot resolve the way a viewer does: a file with more than one
page, or an object number defined twice (an incremental update), so that the text read here is the
text a viewer draws, not an older copy left in the file.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_WS = b" \t\r\n\f\x00"
_DELIM = b"()<>[]{}/%"
_OBJ = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")
_MAX_DEPTH = 8


class Unreadable(Exception):
    """The page's text cannot be read reliably; str() says why (English, for the verifier's message)."""


@dataclass(frozen=True)
class Ref:
    num: int


class Name(str):
    pass


class Op(str):
    pass


@dataclass
class Stream:
    head: dict
    body: bytes

    def data(self) -> bytes:
        filters = self.head.get("Filter")
        filters = filters if isinstance(filters, list) else [filters] if filters else []
        data = self.body
        for name in filters:
            if name not in ("FlateDecode", "Fl"):
                raise Unreadable(f"a stream with the filter {name}")
            try:
                data = zlib.decompressobj().decompress(data)
            except zlib.error as exc:
                raise Unreadable(f"a damaged stream: {exc}") from None
        return data


# ------------------------------------------------------------------------------------- tokens


def _string(data: bytes, i: int) -> tuple[bytes, int]:
    """A literal string starting after its "(": (bytes, index after the closing ")")."""
    out, depth, n = bytearray(), 1, len(data)
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < n:
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif nxt.isdigit():
                m = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
                out.append(int(m.group(), 8) & 0xFF)
                i += 1 + len(m.group())
            elif nxt in (b"\r", b"\n"):
                i += 3 if data[i + 1 : i + 3] == b"\r\n" else 2
            else:
                out += nxt
                i += 2
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += c
        i += 1
    return bytes(out), n


def tokens(data: bytes, i: int = 0):
    """(token, index after it) from `data[i:]`: bytes for strings, Name, int/float, Op for keywords
    and operators, and the punctuation "[", "]", "<<", ">>" as Op."""
    n = len(data)
    while i < n:
        c = data[i]
        if c in _WS:
            i += 1
        elif c == 0x25:  # % comment
            while i < n and data[i] not in b"\r\n":
                i += 1
        elif c == 0x28:  # (
            text, i = _string(data, i + 1)
            yield text, i
        elif data[i : i + 2] in (b"<<", b">>"):
            i += 2
            yield Op(data[i - 2 : i].decode()), i
        elif c == 0x3C:  # <hex>
            end = data.find(b">", i)
            end = n if end < 0 else end
            digits = re.sub(rb"[^0-9A-Fa-f]", b"", data[i + 1 : end])
            yield bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()), end + 1
            i = end + 1
        elif c in b"[]{}":
            i += 1
            yield Op(chr(c)), i
        elif c == 0x2F:  # /Name
            j = i + 1
            while j < n and data[j] not in _WS and data[j] not in _DELIM:
                j += 1
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data[i + 1 : j])
            yield Name(raw.decode("latin-1")), j
            i = j
        else:
            j = i
            while j < n and data[j] not in _WS and data[j] not in _DELIM:
                j += 1
            j = max(j, i + 1)
            word = data[i:j].decode("latin-1")
            try:
                value = int(word)
            except ValueError:
                try:
                    value = float(word)
                except ValueError:
                    value = Op(word)
            yield value, j
            i = j


def _parse(it, first):
    """One value from the token iterator `it` whose first token is `first` ("n 0 R" read as Ref)."""
    if isinstance(first, Op) and first in ("<<", "["):
        close = ">>" if first == "<<" else "]"
        items = []
        for tok, _ in it:
            if isinstance(tok, Op) and tok == close:
                break
            items.append(_parse(it, tok))
        items = _refs(items)
        return dict(zip(items[::2], items[1::2], strict=False)) if first == "<<" else items
    return first


def _refs(items: list) -> list:
    """[1, 0, R] → [Ref(1)] inside an array."""
    out = []
    for item in items:
        if item == "R" and isinstance(item, Op) and len(out) >= 2 and all(type(x) is int for x in out[-2:]):
            num = out[-2]
            del out[-2:]
            out.append(Ref(num))
        else:
            out.append(item)
    return out


def _value_at(data: bytes, i: int):
    """(value, index after it) for the object starting at `data[i]`."""
    it = _Tracked(tokens(data, i))
    tok, _ = next(it)
    return _parse(it, tok), it.end


class _Tracked:
    """A token iterator that remembers where the last token ended."""

    def __init__(self, gen):
        self.gen, self.end = gen, 0

    def __iter__(self):
        return self

    def __next__(self):
        tok, self.end = next(self.gen)
        return tok, self.end


# ------------------------------------------------------------------------------------ objects


def objects(data: bytes) -> dict[int, object]:
    """Every indirect object by number (streams as `Stream`); Unreadable if a number repeats."""
    found: dict[int, object] = {}

    def put(num: int, value) -> None:
        if num in found:
            raise Unreadable(f"object {num} is defined twice (the file was changed after it was written)")
        found[num] = value

    for match in _OBJ.finditer(data):
        num = int(match.group(1))
        try:
            value, end = _value_at(data, match.end())
        except (StopIteration, ValueError, RecursionError):
            continue
        rest = data[end : end + 12].lstrip(_WS)
        if isinstance(value, dict) and rest.startswith(b"stream"):
            value = Stream(value, _body_after(data, end, value))
        put(num, value)
    for value in list(found.values()):
        if isinstance(value, Stream) and value.head.get("Type") == "ObjStm":
            for num, obj in _object_stream(value):
                put(num, obj)
    return found


def _body_after(data: bytes, end: int, head: dict) -> bytes:
    start = data.index(b"stream", end) + len(b"stream")
    start += 2 if data[start : start + 2] == b"\r\n" else 1
    length = head.get("Length")
    if type(length) is int and data[start + length : start + length + 24].lstrip(_WS)[:9] == b"endstream":
        return data[start : start + length]
    stop = data.find(b"endstream", start)
    return data[start : stop if stop >= 0 else len(data)].rstrip(b"\r\n")


def _object_stream(stream: Stream):
    data = stream.data()
    first = stream.head.get("First", 0)
    header = [tok for tok, _ in tokens(data[:first])]
    for k in range(0, len(header) - 1, 2):
        num, offset = header[k], header[k + 1]
        if type(num) is int and type(offset) is int:
            value, _ = _value_at(data, first + offset)
            yield num, value


# --------------------------------------------------------------------------------------- fonts


def _cmap(data: bytes) -> tuple[int, dict[bytes, str]]:
    """(code length in bytes, {code: text}) of a ToUnicode CMap."""
    toks = [tok for tok, _ in tokens(data)]
    width, mapping, i = 0, {}, 0

    def text(raw) -> str:
        return raw.decode("utf-16-be", "replace") if isinstance(raw, bytes) else ""

    while i < len(toks):
        tok = toks[i]
        if tok == "begincodespacerange" and i + 1 < len(toks) and isinstance(toks[i + 1], bytes):
            width = width or len(toks[i + 1])
        elif tok == "beginbfchar":
            i += 1
            while i + 1 < len(toks) and toks[i] != "endbfchar":
                if isinstance(toks[i], bytes):
                    mapping[toks[i]] = text(toks[i + 1])
                i += 2
            continue
        elif tok == "beginbfrange":
            i += 1
            while i + 2 < len(toks) and toks[i] != "endbfrange":
                lo, hi, dst = toks[i], toks[i + 1], toks[i + 2]
                if isinstance(lo, bytes) and isinstance(hi, bytes):
                    size, a, b = len(lo), int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
                    if dst == "[":
                        j, k = i + 3, 0
                        while j < len(toks) and toks[j] != "]":
                            mapping[(a + k).to_bytes(size, "big")] = text(toks[j])
                            j, k = j + 1, k + 1
                        i = j + 1
                        continue
                    if isinstance(dst, bytes) and b - a < 65536:
                        base = int.from_bytes(dst, "big")
                        for k in range(b - a + 1):
                            mapping[(a + k).to_bytes(size, "big")] = text(
                                (base + k).to_bytes(len(dst), "big") if len(dst) else b""
                            )
                i += 3
            continue
        i += 1
    if not width:
        width = len(next(iter(mapping))) if mapping else 1
    return width, mapping


@dataclass
class Font:
    width: int
    mapping: dict[bytes, str] | None

    def decode(self, raw: bytes) -> str:
        if self.mapping is None:
            return raw.decode("cp1252", "replace")
        w = self.width
        return "".join(self.mapping.get(raw[k : k + w], "\ufffd") for k in range(0, len(raw), w))


# ---------------------------------------------------------------------------------------- text


class _Reader:
    def __init__(self, objs: dict[int, object]):
        self.objs, self.fonts, self.out = objs, {}, []

    def get(self, value):
        seen = 0
        while isinstance(value, Ref) and seen < 32:
            value, seen = self.objs.get(value.num), seen + 1
        return value

    def font(self, resources: dict, name: str) -> Font:
        ref = (self.get(resources.get("Font")) or {}).get(name)
        key = ref.num if isinstance(ref, Ref) else id(ref)
        if key not in self.fonts:
            font = self.get(ref) or {}
            to_unicode = self.get(font.get("ToUnicode"))
            if isinstance(to_unicode, Stream):
                self.fonts[key] = Font(*_cmap(to_unicode.data()))
            elif font.get("Subtype") == "Type0":
                self.fonts[key] = Font(2, {})  # codes without a map: unreadable glyphs
            else:
                self.fonts[key] = Font(1, None)
        return self.fonts[key]

    def run(self, content: bytes, resources: dict, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            raise Unreadable("form XObjects nested too deep")
        stack: list = []
        font, y = Font(1, None), None
        it = tokens(content)
        for tok, end in it:
            if not isinstance(tok, Op):
                stack.append(tok)
                continue
            if tok == "[":
                items = []
                for inner, _ in it:
                    if isinstance(inner, Op) and inner == "]":
                        break
                    items.append(inner)
                stack.append(items)
                continue
            if tok == "BI":  # inline image: skip its data
                stop = content.find(b"EI", content.find(b"ID", end))
                it = tokens(content, stop + 2 if stop >= 0 else len(content))
            elif tok in ("BT", "ET", "T*"):
                self.out.append("\n")
            elif tok == "Tf" and len(stack) >= 2 and isinstance(stack[-2], Name):
                font = self.font(resources, stack[-2])
            elif tok == "Tm" and len(stack) >= 6:
                self.out.append("\n" if y is not None and stack[-1] != y else " ")
                y = stack[-1]
            elif tok in ("Td", "TD") and len(stack) >= 2:
                self.out.append("\n" if stack[-1] else " ")
            elif tok in ("Tj", "'", '"') and stack and isinstance(stack[-1], bytes):
                self.out.append(("\n" if tok != "Tj" else "") + font.decode(stack[-1]))
            elif tok == "TJ" and stack and isinstance(stack[-1], list):
                for item in stack[-1]:
                    if isinstance(item, bytes):
                        self.out.append(font.decode(item))
                    elif isinstance(item, int | float) and item < -250:
                        self.out.append(" ")
            elif tok == "Do" and stack and isinstance(stack[-1], Name):
                xobject = self.get((self.get(resources.get("XObject")) or {}).get(stack[-1]))
                if isinstance(xobject, Stream) and xobject.head.get("Subtype") == "Form":
                    inner = self.get(xobject.head.get("Resources")) or resources
                    self.out.append("\n")
                    self.run(xobject.data(), inner, depth + 1)
                    self.out.append("\n")
            stack.clear()


def page_text(data: bytes) -> str:
    """The text the PDF's only page draws, as lines; Unreadable when that cannot be told."""
    try:
        objs = objects(data)
    except RecursionError:
        raise Unreadable("malformed objects") from None
    pages = [o for o in objs.values() if isinstance(o, dict) and o.get("Type") == "Page"]
    if len(pages) != 1:
        raise Unreadable(f"{len(pages)} pages (a certificate has one)")
    reader = _Reader(objs)
    page = pages[0]
    resources = reader.get(page.get("Resources")) or {}
    contents = reader.get(page.get("Contents"))
    parts = [reader.get(c) for c in contents] if isinstance(contents, list) else [contents]
    body = b"\n".join(p.data() for p in parts if isinstance(p, Stream))
    try:
        reader.run(body, resources)
    except RecursionError:
        raise Unreadable("malformed page content") from None
    lines = "".join(reader.out).split("\n")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in lines if line.strip())
