"""Uploads: random storage names, content checked by its bytes, never served from MEDIA_ROOT directly."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, get_resolver, resolve

from aftersales.assessments.evidence import evidence_add
from aftersales.certification.materials import file_accept
from aftersales.certification.services import StepRefused
from aftersales.uploads import RandomName, UploadRefused, upload_accept, upload_check

MB = 1024 * 1024
OOXML = "application/vnd.openxmlformats-officedocument"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


def ooxml(part: str, *extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
        for name in extra:
            archive.writestr(name, EXE)
    return buffer.getvalue()


def check(name, data):
    return upload_check(name, data, max_bytes=20 * MB)


def test_it_names_files_at_random_by_area_and_month():
    name = RandomName("evidence")(None, "营业执照 (final).PDF")
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", name)
    assert RandomName("evidence")(None, "x.pdf") != RandomName("evidence")(None, "x.pdf")
    # an odd extension is dropped rather than kept
    assert re.fullmatch(r"records/imports/\d{4}/\d{2}/[0-9a-f]{32}", RandomName("records/imports")(None, "a.p h/p"))
    assert RandomName("evidence").deconstruct() == ("aftersales.uploads.RandomName", ("evidence",), {})


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", EXE),  # an executable renamed .pdf
        ("photo.png", EXE),
        ("photo.jpg", b"%PDF-1.4 not a jpeg"),
        ("list.txt", EXE),
        ("list.csv", b"PK\x03\x04" + b"x" * 20),  # an archive as "text"
        ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("image.txt", b"\xef\xbb\xbf  <svg onload=alert(1)>"),
        ("report.docx", b"PK\x03\x04 just a zip header"),
        ("report.docx", ooxml("xl/workbook.xml")),  # a workbook renamed .docx
        ("report.docx", ooxml("word/document.xml", "word/media/setup.exe")),  # a program inside
        ("sheet.xlsx", ooxml("xl/workbook.xml", "xl/vbaProject.bin")),  # macros belong in .xlsm
        ("notes.txt", b"text" * 2000 + b"\x00"),  # a NUL past the first 4 KB
        ("tool.exe", EXE),
        ("noext", b"hello"),
    ],
)
def test_it_refuses_files_whose_bytes_are_not_what_the_name_says(name, data):
    with pytest.raises(UploadRefused, match=re.escape(name)):
        check(name, data)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("a.PNG", b"\x89PNG\r\n\x1a\n....", "image/png"),
        ("a.docx", ooxml("word/document.xml"), f"{OOXML}.wordprocessingml.document"),
        ("a.xlsx", ooxml("xl/workbook.xml"), f"{OOXML}.spreadsheetml.sheet"),
        ("网点.csv", "网点,地址\n杭州,西湖区\n".encode("gbk"), "text/csv; charset=utf-8"),
        ("说明.txt", "服务网点清单 <b>不是标签</b>".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_it_accepts_real_files(name, data, content_type):
    assert check(name, data) == content_type


def test_it_refuses_empty_and_oversized_files():
    with pytest.raises(UploadRefused, match="empty"):
        check("a.pdf", b"")
    with pytest.raises(UploadRefused, match="larger than 1 MB"):
        upload_check("a.pdf", b"%PDF-" + b"x" * MB, max_bytes=MB)


def test_it_reads_an_upload_whole_but_never_more_than_one_byte_past_the_limit():
    class Chunked(SimpleUploadedFile):
        read = 0

        def chunks(self, chunk_size=None):
            for _ in range(100):
                Chunked.read += MB
                yield b"%PDF-" + b"x" * (MB - 5)

    with pytest.raises(UploadRefused, match="larger than 2 MB"):
        upload_accept(Chunked("big.pdf", b""), max_bytes=2 * MB)
    assert Chunked.read == 3 * MB
    checked = upload_accept(SimpleUploadedFile("dir/../网点.csv", "网点\n".encode()))
    assert (checked.name, checked.size, checked.content_type) == ("网点.csv", 7, "text/csv; charset=utf-8")


def test_case_materials_refuse_with_the_same_check():
    with pytest.raises(StepRefused, match=r"x\.docx is not a real \.docx"):
        file_accept(SimpleUploadedFile("x.docx", b"PK\x03\x04 just a zip header"))


@pytest.mark.django_db
def test_evidence_is_stored_under_a_random_name_outside_the_static_root(world):
    evidence = evidence_add(
        assessment=world["assessment"],
        item_code="5.1.1.1",
        by=world["people"]["ent_admin"],
        upload=SimpleUploadedFile("组织机构图.pdf", b"%PDF-1.4 test"),
    )
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", evidence.file.name)
    assert evidence.original_name == "组织机构图.pdf"
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    for folder in settings.STATICFILES_DIRS:
        assert not stored.is_relative_to(Path(folder).resolve())


def test_media_root_is_outside_the_static_files():
    media = Path(settings.MEDIA_ROOT).resolve()
    for folder in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        folder = Path(folder).resolve()
        assert not media.is_relative_to(folder) and not folder.is_relative_to(media)


def test_no_url_serves_the_media_folder():
    """No static()/serve() pattern for MEDIA_URL: every download is a view with an access helper."""

    def walk(resolver):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p)
            else:
                yield p

    def target(callback):
        callback = getattr(callback, "func", callback)  # functools.partial (ninja's API views)
        return f"{getattr(callback, '__module__', '')}.{getattr(callback, '__name__', '')}"

    views = {target(p.callback) for p in walk(get_resolver())}
    assert "django.views.static.serve" not in views
    stored_like = f"/{(settings.MEDIA_URL or '/').strip('/')}/evidence/2026/01/{'0' * 32}.pdf".replace("//", "/")
    for path in (stored_like, "/media/evidence/2026/01/x.pdf", "/evidence/2026/01/x.pdf"):
        with pytest.raises(Resolver404):
            resolve(path)
