"""Signing people in for the browser tests: the world's password, CB staff's authenticator code,
and a fresh browser context per person (zh-Hans unless asked otherwise)."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

PASSWORD = "x-pass-12345"  # the world's people (tests/conftest.py)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the browser tests' authenticator, enrolled below


def authenticator_code(username: str) -> str | None:
    """CB staff sign in with a code from an authenticator (TOTP_REQUIRED_FOR_CB): enrol them once
    with a known secret, then give the code of a time step not used yet (a code works once, so a
    second login within 30 seconds takes the next step's code, waiting if even that one is used)."""
    from aftersales.accounts import twofactor
    from aftersales.accounts.models import User
    from aftersales.core import totp

    user = User.objects.get(username=username)
    if not twofactor.two_factor_required(user):
        return None
    device = twofactor.two_factor_of(user) or twofactor.two_factor_enrol_with_secret(
        user=user, secret=TOTP_SECRET, by_label="browser-test"
    )
    step = max(totp.step_at(time.time()), device.last_step + 1)
    while step > totp.step_at(time.time()) + 1:  # only one step ahead is accepted
        time.sleep(1)
    return totp.code_for_step(TOTP_SECRET, step)


def sign_in(page, base: str, username: str) -> None:
    """Through the login page (and the code page for CB staff) to the workspace."""
    code = authenticator_code(username)
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if code is not None:
        page.wait_for_url(re.compile(r"/login/code/$"))
        page.fill("#id_code", code)
        page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/app/$"))


@contextmanager
def person(browser, live_server, username: str | None, width: int = 1280, *, locale: str = "zh-CN", **options):
    """A fresh browser context `width` px wide, signed in as `username` (None: anonymous);
    `page.base` is the live server's address."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    if username is not None:
        sign_in(page, page.base, username)
    try:
        yield page
    finally:
        context.close()
