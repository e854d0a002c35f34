from django.urls import path

from . import views

urlpatterns = [
    path("regulator/", views.regulator_home, name="regulator_home"),
    path("regulator/export/", views.regulator_export_view, name="regulator_export"),
    path("regulator/exports/<int:pk>/", views.regulator_download, name="regulator_download"),
    path("regulator/exports/<int:pk>/records/", views.regulator_export_detail, name="regulator_export_detail"),
    path("regulator/queue/", views.regulator_queue, name="regulator_queue"),
    path("regulator/queue/export/", views.regulator_queue_export, name="regulator_queue_export"),
]
