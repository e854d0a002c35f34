from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("outbox/", views.outbox, name="outbox"),
]
