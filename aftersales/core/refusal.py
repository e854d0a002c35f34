"""The one base of every refusal: a step that is not possible now or with this input.

A service raises a subclass of `Refused` (CertificateRefused, StepRefused, AuditRefused, …) before
it changes anything, with one or more messages for the user (already translated, or lazy).
`aftersales.api_errors` answers it in the API (`status`, the `Refusal` body); the pages answer it
through `aftersales.refusals` (a message and a redirect, or the form again with the problems).
"""

from __future__ import annotations


class Refused(Exception):
    """A step refused; nothing was changed. `problems` are the messages for the user (at least one
    unless the refusal says nothing on purpose); `where` optionally names the field or item; `status`
    is the HTTP status the API answers with (409: not possible in the current state)."""

    status: int = 409
    joiner: str = "; "  # how str() joins the problems

    def __init__(self, *problems, where: str = "", status: int | None = None):
        self.problems = [p for p in problems if p is not None]
        self.where = where
        if status is not None:
            self.status = status
        super().__init__(*self.problems)

    def __str__(self) -> str:
        return self.joiner.join(str(p) for p in self.problems)
