"""The project's URLs plus /bench/constant/ (a constant JSON answer), for bench/registry_bench.py."""

from django.http import HttpResponse
from django.urls import path

from aftersales.urls import urlpatterns as project_urls

CONSTANT = b'{"number":"ASC26SC00001J","status":"valid"}'


def constant(request):
    return HttpResponse(CONSTANT, content_type="application/json")


urlpatterns = [path("bench/constant/", constant), *project_urls]
