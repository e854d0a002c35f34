"""The pages' CJK web font: named by the CSS after the system fonts, served as a static file that
production caches for good, allowed by the CSP, and holding every Chinese character we write."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from fontTools.ttLib import TTFont

from aftersales.ops import webfont

FONT = "aftersales/fonts/AftersalesWebSans-Regular.woff2"
STATIC = Path(settings.BASE_DIR) / "static" / "aftersales"


def font_chars() -> set[str]:
    return {chr(cp) for cp in TTFont(finders.find(FONT)).getBestCmap()}


@pytest.mark.parametrize("css", ["site.css", "registry.css"])
def test_it_names_the_served_font_after_the_systems_cjk_fonts(css):
    text = (STATIC / css).read_text(encoding="utf-8")
    face = re.search(r"@font-face\s*{([^}]*)}", text).group(1)
    assert 'font-family: "Aftersales Web Sans"' in face
    assert 'url("fonts/AftersalesWebSans-Regular.woff2") format("woff2")' in face
    assert "font-display: swap" in face
    stacks = [s for s in re.findall(r"font-family:([^;{}]*)[;}]", text) if "Aftersales Web Sans" in s and "," in s]
    assert stacks, "no font-family list names the web font"
    for stack in stacks:
        names = [n.strip().strip('"') for n in stack.split(",")]
        web = names.index("Aftersales Web Sans")
        assert {"Microsoft YaHei", "Noto Sans CJK SC"} <= set(names[:web])  # a system's own font wins
        assert "sans-serif" in names[web:]


def test_the_charts_and_the_print_button_use_it_too():
    """Inline SVG names its own fonts and a button does not inherit the page's: both drew boxes."""
    from aftersales.charts import FONT_STACK

    assert "'Aftersales Web Sans'" in FONT_STACK
    assert FONT_STACK.index("'Aftersales Web Sans'") < FONT_STACK.index("sans-serif")
    registry = (STATIC / "registry.css").read_text(encoding="utf-8")
    assert re.search(r"\.reg-print button\s*{\s*font:\s*inherit", registry)


def test_it_serves_the_font_from_the_static_files():
    assert finders.find(FONT)
    assert "'self'" in settings.SECURE_CSP["font-src"]


def test_the_font_has_every_chinese_character_of_templates_and_catalogue():
    sources = [*(Path(settings.BASE_DIR) / "templates").rglob("*.html"), *Path(settings.BASE_DIR).rglob("*.po")]
    used = {c for path in sources for c in path.read_text(encoding="utf-8") if webfont.is_cjk(c)}
    assert len(used) > 500
    missing = "".join(sorted(used - font_chars()))
    assert not missing, f"run `python -m aftersales.ops.webfont`: the web font lacks {missing}"


def test_the_font_has_the_projects_text_and_the_common_hanzi():
    missing = "".join(sorted((webfont.project_chars() | webfont.gb2312_level1()) - font_chars()))
    assert not missing, f"run `python -m aftersales.ops.webfont`: the web font lacks {missing}"


def test_production_serves_it_under_a_hashed_name_cached_for_good(tmp_path, settings, client):
    # collectstatic as a release does it (hashed names), with only the font and site.css, in their places
    src = tmp_path / "src" / "aftersales"
    (src / "fonts").mkdir(parents=True)
    (src / "site.css").write_bytes((STATIC / "site.css").read_bytes())
    (src / "fonts" / Path(FONT).name).write_bytes(Path(finders.find(FONT)).read_bytes())
    settings.STATICFILES_DIRS = [tmp_path / "src"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "out"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    css = next((tmp_path / "out" / "aftersales").glob("site.*.css")).read_text(encoding="utf-8")
    hashed = re.search(r'url\("(fonts/AftersalesWebSans-Regular\.[0-9a-f]{12}\.woff2)"\)', css).group(1)

    response = client.get(f"/{settings.STATIC_URL.strip('/')}/aftersales/{hashed}")
    assert response.status_code == 200
    assert response["Content-Type"] == "font/woff2"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
