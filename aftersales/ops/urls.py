from django.urls import path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # no login: load balancers and monitoring
]
