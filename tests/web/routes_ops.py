"""Rows of the persona × URL matrix for operations (see test_persona_matrix): /healthz is public."""

from django.urls import reverse

from .personas import PERSONAS, expect


def routes(world) -> dict:
    return {"healthz": ("get", reverse("healthz"), {}, {}, expect(set(PERSONAS), 200))}
