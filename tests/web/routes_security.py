"""Rows of the persona × URL matrix for two-factor sign-in (see test_persona_matrix).

No persona has an authenticator here (tests/security/test_two_factor.py covers the flows): the code
step without a password step sends everyone back to the login page; the enrolment page opens for
any logged-in user; renewing recovery codes or switching off without an authenticator is refused
with a message on the two-factor page (302).
"""

from django.urls import reverse

from .personas import LOGGED_IN, PERSONAS, expect


def routes(world) -> dict:
    return {
        "login_code": ("get", reverse("login_code"), {}, {}, expect(set(PERSONAS), 302)),
        "two_factor_setup": ("get", reverse("two_factor_setup"), {}, {}, expect(LOGGED_IN, 200)),
        "two_factor_recovery_codes": ("post", reverse("two_factor_recovery_codes"), {}, {}, expect(LOGGED_IN, 302)),
        "two_factor_disable": ("post", reverse("two_factor_disable"), {"code": "000000"}, {}, expect(LOGGED_IN, 302)),
    }
