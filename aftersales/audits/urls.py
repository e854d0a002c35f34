from django.urls import path

from .views import progress, rectification, registry, report, scoring, team

C = "cases/<int:pk>/audit"

urlpatterns = [
    path(f"{C}/plan/", team.audit_plan, name="audit_plan"),
    path(f"{C}/team/", team.audit_team_set, name="audit_team_set"),
    path(f"{C}/send/", team.audit_plan_send, name="audit_plan_send"),
    path(f"{C}/objections/", team.audit_objection_raise, name="audit_objection_raise"),
    path(f"{C}/objections/<int:objection_id>/answer/", team.audit_objection_answer, name="audit_objection_answer"),
    path(f"{C}/document-review/", progress.audit_review_start, name="audit_review_start"),
    path(f"{C}/start/", progress.audit_start, name="audit_start"),
    path(f"{C}/scoring/", scoring.audit_scoring, name="audit_scoring"),
    path(f"{C}/items/<str:code>/", scoring.audit_answer_save, name="audit_answer_save"),
    path(f"{C}/items/<str:code>/evidence/", scoring.audit_evidence_upload, name="audit_evidence_upload"),
    path(f"{C}/items/<str:code>/findings/", scoring.audit_finding_add, name="audit_finding_add"),
    path(f"{C}/evidence/<int:evidence_id>/", scoring.audit_evidence_download, name="audit_evidence_download"),
    path(f"{C}/conform/", scoring.audit_remaining_conform, name="audit_remaining_conform"),
    path(f"{C}/specials/", scoring.audit_special_add, name="audit_special_add"),
    path(f"{C}/specials/<int:finding_id>/remove/", scoring.audit_special_remove, name="audit_special_remove"),
    path(f"{C}/findings/<int:finding_id>/remove/", scoring.audit_finding_remove, name="audit_finding_remove"),
    path(f"{C}/rectification/start/", progress.audit_rectification_start, name="audit_rectification_start"),
    path(f"{C}/rectification/", rectification.audit_rectification, name="audit_rectification"),
    path(f"{C}/findings/<int:finding_id>/answer/", rectification.audit_finding_answer, name="audit_finding_answer"),
    path(f"{C}/findings/<int:finding_id>/files/", rectification.audit_finding_file, name="audit_finding_file"),
    path(f"{C}/files/<int:file_id>/", rectification.audit_finding_file_download, name="audit_finding_file_download"),
    path(f"{C}/findings/<int:finding_id>/verify/", rectification.audit_finding_verify, name="audit_finding_verify"),
    path(f"{C}/report/", report.audit_report_save, name="audit_report_save"),
    path(f"{C}/report.pdf", report.audit_report_pdf, name="audit_report_pdf"),
    path(f"{C}/decision/", progress.audit_decision, name="audit_decision"),
    path("audits/auditors/", registry.auditor_list, name="auditor_list"),
    path("audits/auditors/register/", registry.auditor_register, name="auditor_register"),
    path("audits/auditors/conflicts/", registry.conflict_declare, name="conflict_declare"),
    path("audits/overdue/", registry.audit_overdue, name="audit_overdue"),
    path("audits/overdue/escalate/", registry.audit_overdue_escalate, name="audit_overdue_escalate"),
]
