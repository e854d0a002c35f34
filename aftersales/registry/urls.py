from django.urls import path

from . import views

urlpatterns = [
    path("registry/", views.registry_search_page, name="registry_search"),
    path("registry/<str:number>/", views.registry_detail, name="registry_detail"),
    path("registry/<str:number>/verify/", views.registry_verify, name="registry_verify"),
    path("api/registry/<str:number>", views.registry_json, name="registry_api_certificate"),  # before the API's
    path(".well-known/aftersales-cert-keys.json", views.signing_keys, name="registry_signing_keys"),
]
