from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("aftersales.accounts.urls")),  # login, logout, password reset, language, profile, org, invite
    path("", include("aftersales.assessments.urls")),
    path("", include("aftersales.schemes.urls")),
    path("", include("aftersales.records.urls")),
    path("", include("aftersales.certification.urls")),
    path("", include("aftersales.audits.urls")),
    path("api/", api.urls),
]
