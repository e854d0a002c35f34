from django.urls import path

from . import report_views, views

urlpatterns = [
    path("assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/items/<str:code>/", views.answer_save, name="answer_save"),
    path("assessments/<int:pk>/specials/", views.special_add, name="special_add"),
    path("assessments/<int:pk>/specials/<int:finding_id>/remove/", views.special_remove, name="special_remove"),
    path("assessments/<int:pk>/finish/", views.assessment_finish, name="assessment_finish"),
    path("assessments/<int:pk>/conform/", views.assessment_remaining_conform, name="assessment_remaining_conform"),
    path("assessments/<int:pk>/report.pdf", report_views.assessment_report_pdf, name="assessment_report_pdf"),
    path("assessments/<int:pk>/checklist.xlsx", views.assessment_export, name="assessment_export"),
    path("assessments/<int:pk>/import/", views.assessment_import, name="assessment_import"),
    path("assessments/<int:pk>/items/<str:code>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("assessments/<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("assessments/<int:pk>/evidence/<int:evidence_id>/remove/", views.evidence_delete, name="evidence_delete"),
]
