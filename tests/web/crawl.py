"""A bounded crawler of the pages a person reaches by following links, for the crawl tests.

From a start page it follows same-site GET links (`<a href>`) breadth first, at most `per_route`
pages per URL pattern (`/cases/<int:pk>/` counts once however many cases are listed) and skips
what is not a page (static files, downloads, the language switch and links, sign-out). Each page keeps its status, the
page that linked to it and its visible text (no script, style or hidden element).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import Resolver404, resolve

SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/logout/", "/admin/")
# downloads (documents made on request are slow to make): not pages
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".yaml", ".json", ".zip", ".svg", ".png")
HIDDEN_TAGS = {"script", "style", "template", "noscript"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Page:
    url: str
    route: str
    status: int
    referrer: str
    html: bool
    location: str = ""  # where a redirect leads
    text: list[str] = field(default_factory=list)  # visible text, one entry per text node or title
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    """Visible text nodes (and `title`/`placeholder`/`aria-label` texts) and `<a href>` links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: hidden?

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hidden = tag in HIDDEN_TAGS or "hidden" in a or a.get("aria-hidden") == "true"
        if tag not in VOID_TAGS:
            self._stack.append(hidden)
        if hidden or self._hidden():
            return
        for name in ("title", "placeholder", "aria-label", "alt"):
            if a.get(name):
                self.text.append(a[name])
        if tag == "input" and a.get("type") in {"submit", "button"} and a.get("value"):
            self.text.append(a["value"])
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(a["href"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self._stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or not self._stack:
            return
        self._stack.pop()

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.text.append(data.strip())


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def _local(href: str, base: str) -> str | None:
    """The site-relative URL of a link, or None for another site, a fragment or a non-HTTP link."""
    url, _ = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    # the language links (?lang=en) show the same page in another language
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES) or "lang=" in parts.query:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start: str = "/", *, per_route: int = 2, max_pages: int = 400) -> list[Page]:
    """Every page reachable from `start` by links, bounded by `per_route` per URL pattern."""
    queue: deque[tuple[str, str]] = deque([(start, "")])
    seen: set[str] = {start}
    taken: dict[str, int] = {}
    pages: list[Page] = []
    while queue and len(pages) < max_pages:
        url, referrer = queue.popleft()
        route = _route(urlsplit(url).path) or url
        key = route + ("?" if "?" in url else "")
        if taken.get(key, 0) >= per_route:
            continue
        taken[key] = taken.get(key, 0) + 1
        response = client.get(url)
        is_html = response.get("Content-Type", "").startswith("text/html") and not response.streaming
        location = response.get("Location", "")
        page = Page(url, route, response.status_code, referrer, is_html, location)
        pages.append(page)
        target = _local(location, "http://testserver" + url) if response.status_code in {301, 302, 303} else None
        if target and target not in seen:
            seen.add(target)
            queue.append((target, url))
        if not is_html or response.status_code != 200:
            continue
        reader = _Reader()
        reader.feed(response.content.decode())
        page.text = reader.text
        base = "http://testserver" + url
        for href in reader.links:
            target = _local(href, base)
            if target and target not in seen:
                seen.add(target)
                page.links.append(target)
                queue.append((target, url))
    return pages
