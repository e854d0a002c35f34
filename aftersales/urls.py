from django.urls import include, path

from .api import api

urlpatterns = [
    # first: the public registry and the health check are the most requested and resolve fastest here
    path("", include("aftersales.registry.urls")),  # the public registry (no login) and /.well-known/
    path("", include("aftersales.ops.urls")),  # health endpoint
    path("api/", api.urls),
    path("", include("aftersales.inbox.urls")),  # the workspace: what waits for me, and its count
    path("", include("aftersales.accounts.urls")),  # login, logout, password reset, language, profile, org, invite
    path("", include("aftersales.assessments.urls")),
    path("", include("aftersales.schemes.urls")),
    path("", include("aftersales.records.urls")),
    path("", include("aftersales.certification.urls")),
    path("", include("aftersales.audits.urls")),
    path("", include("aftersales.certificates.urls")),  # enterprise and CB certificate pages, downloads
    path("", include("aftersales.certificates.cycle.urls")),  # CB cycle dashboard, surveillance, reminders
    path("", include("aftersales.regulator.urls")),  # monthly regulator report
    path("", include("aftersales.appeals.urls")),  # appeals and complaints about the CB's decisions and audits
    path("", include("aftersales.notifications.urls")),  # a person's notifications, preferences, the demo's outbox
]
