from django.urls import path

from . import views

E = "records/<int:enterprise_id>/"

urlpatterns = [
    path("records/", views.records_home, name="records_home"),
    path(E, views.records_enterprise, name="records_enterprise"),
    path(E + "import/", views.records_import, name="records_import"),
    path(E + "imports/<int:import_id>/", views.records_import_detail, name="records_import_detail"),
    path(E + "kpis/", views.records_kpis, name="records_kpis"),
    path(E + "commitments/", views.records_commitments, name="records_commitments"),
    path(E + "samples/", views.records_samples, name="records_samples"),
    path(E + "samples/<int:sample_id>/", views.records_sample_detail, name="records_sample_detail"),
    path(
        E + "samples/<int:sample_id>/entries/<int:entry_id>/",
        views.records_verdict,
        name="records_verdict",
    ),
    path(E + "list/<str:kind>/", views.records_list, name="records_list"),
]
