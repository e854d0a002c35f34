"""Content-Security-Policy: the header on every response, and no inline script anywhere to need it."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse

from tests.web.personas import PERSONAS
from tests.web.test_persona_matrix import routes

# a <script> without src, except JSON data blocks (type="application/json": never executed, so CSP
# does not apply; the API docs page passes its settings that way)
SCRIPT_WITHOUT_SRC = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']application/json)[^>]*>", re.IGNORECASE
)
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.DOTALL)
HANDLER = re.compile(r"\s(?:on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def template_files() -> list[Path]:
    """Our templates (third-party ones, e.g. django-ninja's unused CDN and ReDoc variants, are
    covered by the rendered-page test below when a page of ours uses them)."""
    import aftersales

    ours = Path(aftersales.__file__).resolve().parent
    folders = []
    for engine in engines.all():
        folders += [Path(d) for d in engine.template_dirs]
    return sorted(
        {p for folder in folders if folder.is_dir() for p in folder.rglob("*.html") if p.resolve().is_relative_to(ours)}
    )


def inline_script_problems(text: str) -> list[str]:
    problems = [m.group(0) for m in SCRIPT_WITHOUT_SRC.finditer(text)]
    for tag in TAG.finditer(text):
        if HANDLER.search(tag.group(0)) or JS_URL.search(tag.group(0)):
            problems.append(" ".join(tag.group(0).split())[:120])
    return problems


def test_the_checker_finds_what_it_looks_for():
    assert inline_script_problems('<script>alert(1)</script><script src="/s.js"></script>') == ["<script>"]
    assert inline_script_problems('<script type="application/json" id="s">{"a": 1}</script>') == []
    assert len(inline_script_problems('<button onclick="x()">a</button><select\n onchange="y">')) == 2
    assert len(inline_script_problems('<div hx-on:click="x()"></div><a href="javascript:x()">')) == 2
    assert inline_script_problems("<p>Turn it on=off</p><input data-onset=1>") == []


def test_no_template_has_inline_script_or_event_handler_attributes():
    found = {}
    files = template_files()
    assert len(files) > 50
    for path in files:
        problems = inline_script_problems(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path)] = problems
    assert found == {}


@pytest.mark.django_db
def test_responses_carry_the_policy(client):
    response = client.get(reverse("login"))
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"] + policy["style-src-elem"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code():
    base = next(p for p in template_files() if p.name == "base.html" and p.parent.name == "templates")
    text = base.read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in text and '"allowEval": false' in text


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "ent_admin", "cb_admin"])
def test_no_page_of_the_matrix_has_inline_script(client, world, persona):
    """Every page the persona × URL matrix opens with GET, as rendered (includes, partials)."""
    assert persona in PERSONAS
    if persona != "anonymous":
        client.force_login(world["people"][persona])
    found, pages = {}, 0
    for name, (method, url, data, headers, statuses) in routes(world).items():
        if method != "get" or statuses[persona] != 200:
            continue
        response = client.get(url, data, headers=headers)
        if "html" not in response.get("Content-Type", "") or response.streaming:
            continue
        pages += 1
        assert "Content-Security-Policy" in response, name
        problems = inline_script_problems(response.content.decode())
        if problems:
            found[name] = problems
    assert pages > 5
    assert found == {}
