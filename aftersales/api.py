"""The JSON API (django-ninja), OpenAPI schema at /api/openapi.json, interactive docs at /api/docs.

Authentication is the web session (same logins, same access helpers, CSRF on writes); every
endpoint answers 404 to users the matching web page would answer 404 to. Errors have two bodies,
documented on every operation (api_errors.py).
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from aftersales import api_errors


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return api_errors.document(super().get_openapi_schema(*args, **kwargs))


api = Api(
    title="aftersales-cert API",
    version="1",
    description="Service records, certification cases, audits and decisions under GB/T 27922-2011.",
    auth=django_auth,
    urls_namespace="api",
    docs_url="/docs",
)
api_errors.install(api)
api.add_router("/records/", "aftersales.records.api.router")
api.add_router("/cases/", "aftersales.certification.api.router")
api.add_router("/audits/", "aftersales.audits.api.router")
api.add_router("/certificates/", "aftersales.certificates.api.router")
api.add_router("/registry/", "aftersales.registry.api.router")  # public: its endpoints set auth=None
