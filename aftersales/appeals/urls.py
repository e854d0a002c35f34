from django.urls import path

from . import views

urlpatterns = [
    path("appeals/", views.appeal_list_view, name="appeal_list"),
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/files/<int:file_id>/", views.appeal_file, name="appeal_file"),
    path("appeals/<int:pk>/withdraw/", views.appeal_withdraw, name="appeal_withdraw"),
    path("appeals/<int:pk>/assign/", views.appeal_assign, name="appeal_assign"),
    path("appeals/<int:pk>/acknowledge/", views.appeal_acknowledge, name="appeal_acknowledge"),
    path("appeals/<int:pk>/review/", views.appeal_review_start, name="appeal_review_start"),
    path("appeals/<int:pk>/notes/", views.appeal_note, name="appeal_note"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
]
