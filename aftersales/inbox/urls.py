from django.urls import path

from . import views

urlpatterns = [
    path("app/", views.dashboard, name="dashboard"),
    path("app/inbox/count/", views.inbox_count, name="inbox_count"),
]
