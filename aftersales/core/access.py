"""The one answer of an access helper: the object and what this viewer may do with it.

An app's `access.py` decides who sees an object (404 otherwise) and who may write (403) and
returns an `Access`: the object, the viewer's roles that matter for it, and the writes (the
app's `WRITE_*` names) the viewer holds. Views, presenters and template tags ask it
(`access.can(WRITE_REVIEW)`, `access.holds(Role.CB_ADMIN)`) instead of recomputing roles.
Whether the object's *state* allows a step is for the services to refuse (`core.refusal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Access[T]:
    obj: T
    roles: frozenset[str] = frozenset()  # the viewer's roles for the object (e.g. in its enterprise and CB)
    writes: frozenset[str] = frozenset()  # the writes the viewer may take (the access module's WRITE_* names)

    def can(self, write: str) -> bool:
        """Does the viewer hold the role for `write`?"""
        return write in self.writes

    def holds(self, *roles: str) -> bool:
        """Does the viewer hold any of `roles`?"""
        return not self.roles.isdisjoint(roles)

    def only(self, roles: Iterable[str]) -> bool:
        """Does the viewer hold some of `roles` and nothing else (e.g. sees it only as the enterprise)?"""
        roles = frozenset(roles)
        return bool(self.roles & roles) and self.roles <= roles
