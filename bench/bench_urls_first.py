"""bench_urls with the registry's and the API's URLs tried first (the order proposed for
aftersales/urls.py: the public registry is the busiest path, and Django tries patterns in order)."""

from aftersales.urls import urlpatterns as project_urls

from .bench_urls import urlpatterns as bench_urls


def _first(p) -> bool:
    name = getattr(p.urlconf_name, "__name__", str(p.urlconf_name)) if hasattr(p, "urlconf_name") else ""
    return "registry" in name or str(p.pattern) == "api/"


urlpatterns = [bench_urls[0], *[p for p in project_urls if _first(p)], *[p for p in project_urls if not _first(p)]]
