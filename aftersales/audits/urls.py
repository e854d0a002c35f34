from django.urls import path

from . import views, views_scoring

C = "cases/<int:pk>/audit"

urlpatterns = [
    path(f"{C}/plan/", views.audit_plan, name="audit_plan"),
    path(f"{C}/team/", views.audit_team_set, name="audit_team_set"),
    path(f"{C}/send/", views.audit_plan_send, name="audit_plan_send"),
    path(f"{C}/objections/", views.audit_objection_raise, name="audit_objection_raise"),
    path(f"{C}/objections/<int:objection_id>/answer/", views.audit_objection_answer, name="audit_objection_answer"),
    path(f"{C}/document-review/", views.audit_review_start, name="audit_review_start"),
    path(f"{C}/start/", views.audit_start, name="audit_start"),
    path(f"{C}/scoring/", views_scoring.audit_scoring, name="audit_scoring"),
    path(f"{C}/items/<str:code>/", views_scoring.audit_answer_save, name="audit_answer_save"),
    path(f"{C}/items/<str:code>/evidence/", views_scoring.audit_evidence_upload, name="audit_evidence_upload"),
    path(f"{C}/items/<str:code>/findings/", views_scoring.audit_finding_add, name="audit_finding_add"),
    path(f"{C}/evidence/<int:evidence_id>/", views_scoring.audit_evidence_download, name="audit_evidence_download"),
    path(f"{C}/specials/", views_scoring.audit_special_add, name="audit_special_add"),
    path(f"{C}/specials/<int:finding_id>/remove/", views_scoring.audit_special_remove, name="audit_special_remove"),
    path(f"{C}/findings/<int:finding_id>/remove/", views_scoring.audit_finding_remove, name="audit_finding_remove"),
    path(f"{C}/rectification/start/", views.audit_rectification_start, name="audit_rectification_start"),
    path(f"{C}/rectification/", views_scoring.audit_rectification, name="audit_rectification"),
    path(f"{C}/findings/<int:finding_id>/answer/", views_scoring.audit_finding_answer, name="audit_finding_answer"),
    path(f"{C}/findings/<int:finding_id>/files/", views_scoring.audit_finding_file, name="audit_finding_file"),
    path(f"{C}/files/<int:file_id>/", views_scoring.audit_finding_file_download, name="audit_finding_file_download"),
    path(f"{C}/findings/<int:finding_id>/verify/", views_scoring.audit_finding_verify, name="audit_finding_verify"),
    path(f"{C}/report/", views_scoring.audit_report_save, name="audit_report_save"),
    path(f"{C}/report.pdf", views_scoring.audit_report_pdf, name="audit_report_pdf"),
    path(f"{C}/decision/", views.audit_decision, name="audit_decision"),
    path("audits/auditors/", views.auditor_list, name="auditor_list"),
    path("audits/auditors/register/", views.auditor_register, name="auditor_register"),
    path("audits/auditors/conflicts/", views.conflict_declare, name="conflict_declare"),
    path("audits/overdue/", views.audit_overdue, name="audit_overdue"),
    path("audits/overdue/escalate/", views.audit_overdue_escalate, name="audit_overdue_escalate"),
]
