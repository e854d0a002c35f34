from django.urls import path

from . import views

urlpatterns = [
    path("certificates/", views.certificate_list_view, name="certificate_list"),
    path("certificates/<str:number>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<str:number>/status/", views.certificate_status, name="certificate_status"),
    path("certificates/<str:number>/change/", views.certificate_change, name="certificate_change"),
    path("certificates/<str:number>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:number>/mark.<str:fmt>", views.certificate_mark, name="certificate_mark"),
    path("cases/<int:pk>/certificate/issue/", views.case_certificate_issue, name="case_certificate_issue"),
]
