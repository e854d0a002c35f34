from django.urls import include, path

urlpatterns = [
    path("", include("aftersales.accounts.urls")),  # login, logout, password reset, language, profile, org, invite
    path("", include("aftersales.assessments.urls")),
    path("", include("aftersales.schemes.urls")),
]
