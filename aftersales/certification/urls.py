from django.urls import path

from . import quotation, views

urlpatterns = [
    path("cases/", views.case_list_view, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/application/", views.case_application, name="case_application"),
    path("cases/<int:pk>/materials/", views.case_material_upload, name="case_material_upload"),
    path("cases/<int:pk>/materials/<int:material_id>/", views.case_material_download, name="case_material_download"),
    path("cases/<int:pk>/submit/", views.case_submit, name="case_submit"),
    path("cases/<int:pk>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/info/<int:item_id>/answer/", views.case_info_answer, name="case_info_answer"),
    path("cases/<int:pk>/info-files/<int:file_id>/", views.case_info_file_download, name="case_info_file_download"),
    path("cases/<int:pk>/review/", views.case_review, name="case_review"),
    path("cases/<int:pk>/request-info/", views.case_request_info, name="case_request_info"),
    path("cases/<int:pk>/refuse/", views.case_refuse, name="case_refuse"),
    path("cases/<int:pk>/accept/", views.case_accept, name="case_accept"),
    path("cases/<int:pk>/contract/", views.case_contract, name="case_contract"),
    path("cases/<int:pk>/contract/file/", views.case_contract_file, name="case_contract_file"),
    path("cases/<int:pk>/quotation.pdf", quotation.case_quotation_pdf, name="case_quotation_pdf"),
]
