from django.urls import path

from . import views

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("schemes/<slug:scheme_id>/<str:version>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<slug:scheme_id>/<str:version>/checklist.xlsx", views.scheme_checklist, name="scheme_checklist"),
    path("schemes/<slug:scheme_id>/<str:version>/scheme.yaml", views.scheme_source, name="scheme_source"),
]
