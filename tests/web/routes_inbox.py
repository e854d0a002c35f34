"""Rows of the persona × URL matrix for the inbox (see test_persona_matrix): the workspace itself is
the "dashboard" row; every logged-in person gets their own count, anonymous people the login page."""

from django.urls import reverse

from .personas import LOGGED_IN, expect


def routes(world) -> dict:
    return {"inbox_count": ("get", reverse("inbox_count"), {}, {}, expect(LOGGED_IN, 200))}
