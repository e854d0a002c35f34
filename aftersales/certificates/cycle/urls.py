"""The CB's cycle dashboard and calendar, and the cycle's actions (open a surveillance audit,
answer a suspension proposal, open a recertification)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cycle/", views.cycle_dashboard, name="cycle_dashboard"),
    path("cycle/calendar/", views.cycle_calendar, name="cycle_calendar"),
    path("cycle/surveillances/<int:pk>/open/", views.cycle_surveillance_open, name="cycle_surveillance_open"),
    path("cycle/surveillances/<int:pk>/proposal/", views.cycle_proposal_answer, name="cycle_proposal_answer"),
    path(
        "cycle/certificates/<str:number>/recertification/",
        views.cycle_recertification_open,
        name="cycle_recertification_open",
    ),
]
