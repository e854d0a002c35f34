"""`aftersales twofactor reset USERNAME --reason TEXT`: a staff member lost the authenticator (and
the recovery codes): remove both so the user enrols again at the next sign-in; the reset is
recorded as an event (the command, the operating-system user who ran it, the reason).
`register(app)` is called by aftersales/cli.py.

Exit status: 0 reset; 1 no such user, or nothing to reset, or an empty reason; 2 bad usage
(--reason missing)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from aftersales.clikit import django_setup

twofactor_app = typer.Typer(help="Two-factor sign-in: reset a lost authenticator.", no_args_is_help=True)

ACTOR = "command:twofactor reset"


@twofactor_app.command("reset")
def reset(
    username: Annotated[str, typer.Argument(help="The user name of the account whose authenticator is lost.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded with the reset), e.g. “phone lost”.")],
) -> None:
    """Remove the user's authenticator and recovery codes (one transaction, recorded as an event);
    the user enrols a new authenticator at the next sign-in."""

    django_setup()
    from django.core.exceptions import ValidationError

    from aftersales.accounts.models import User
    from aftersales.accounts.twofactor import two_factor_reset

    user = User.objects.filter(username=username).first()
    if user is None:
        typer.echo(f"twofactor reset: no user named {username!r}; nothing was changed.", err=True)
        raise typer.Exit(1)
    try:
        removed = two_factor_reset(user=user, reason=reason, by_label=ACTOR, data={"operator": _operator()})
    except ValidationError as exc:
        typer.echo(f"twofactor reset {username}: {' '.join(exc.messages)}", err=True)
        raise typer.Exit(1) from None
    what = []
    if removed["authenticator"]:
        what.append("the authenticator")
    elif removed["enrolling"]:
        what.append("an unfinished enrolment")
    if removed["recovery_codes"]:
        what.append(f"{removed['recovery_codes']} recovery code(s)")
    then = (
        "enrols a new authenticator at the next sign-in"
        if removed["must_enrol"]
        else "signs in with the password alone until two-factor sign-in is switched on again"
    )
    typer.echo(f"{username}: removed {' and '.join(what)}; the user {then}.")


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a bare container: say so rather than guess
        return "unknown"


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main CLI."""
    app.add_typer(twofactor_app, name="twofactor")
