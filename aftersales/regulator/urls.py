from django.urls import path

from . import views

urlpatterns = [
    path("regulator/", views.regulator_home, name="regulator_home"),
    path("regulator/export/", views.regulator_export_view, name="regulator_export"),
    path("regulator/exports/<int:pk>/", views.regulator_download, name="regulator_download"),
]
