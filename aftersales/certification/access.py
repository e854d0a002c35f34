"""The one way views and API endpoints reach a certification case: 404 to outsiders, 403 to
members of the right organisation who lack the role for a write.

Who sees a case (`case_for(request, pk)` without `write`):

- members of the case's enterprise (enterprise admin and member);
- cb_admin and reviewer of the case's certification body, once the application was submitted
  (a draft, or a case withdrawn before it was ever submitted, is the enterprise's own: 404);
- auditors of the case's CB who are on its audit team (unassigned auditors: 404);
- committee members of the case's CB when the case is reported or decided, or when they are on
  its audit team.

Anyone else (anonymous, other enterprises, another CB's staff): 404. CB roles never see a case
whose application was never submitted.

`working_cases(user)` are the live cases (submitted and not yet closed) the user works on the CB's
side: the records of an enterprise are shown to CB staff only through them.

What a write needs (`write=` one of the `WRITE_*` names below); a viewer without it gets 403:

- ``"enterprise"``       any member of the enterprise (edit the draft, answer nonconformities);
- ``"enterprise_admin"`` the enterprise admin (submit, withdraw, sign, answer information
  requests, object to an auditor);
- ``"review"``           cb_admin or reviewer of the CB (review, quote, record the contract, plan
  the audit);
- ``"audit"``            an auditor (or cb_admin) on the case's audit team;
- ``"decide"``           a committee member of the CB. Whether *this* member may decide (not on
  the audit team) is for the decision service to refuse with its reason, not for access.

Audit-team membership is read through the case's `audit.team` relation (`team_case_ids`), not by
importing the audits app, which builds on this one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from aftersales.accounts.models import CB_ROLES, ENTERPRISE_ROLES, Membership, Role
from aftersales.core.access import Access

from .models import Case, CaseEvent

WRITE_ENTERPRISE = "enterprise"
WRITE_ENTERPRISE_ADMIN = "enterprise_admin"
WRITE_REVIEW = "review"
WRITE_AUDIT = "audit"
WRITE_DECIDE = "decide"
WRITES = (WRITE_ENTERPRISE, WRITE_ENTERPRISE_ADMIN, WRITE_REVIEW, WRITE_AUDIT, WRITE_DECIDE)

# the case statuses in which the review committee sees a case
COMMITTEE_STATUSES = frozenset({Case.Status.REPORTED, Case.Status.DECIDED})
CB_STAFF_ROLES = frozenset({Role.CB_ADMIN, Role.REVIEWER})
# the statuses of a live case: submitted, not yet refused, withdrawn or decided
LIVE_STATUSES = frozenset(
    {
        Case.Status.SUBMITTED,
        Case.Status.INFO_REQUESTED,
        Case.Status.ACCEPTED,
        Case.Status.CONTRACTED,
        Case.Status.PLANNED,
        Case.Status.DOCUMENT_REVIEW,
        Case.Status.AUDIT,
        Case.Status.RECTIFICATION,
        Case.Status.REPORTED,
    }
)


def _ever_submitted_q() -> Q:
    """Cases whose application reached the CB: not a draft, and not withdrawn before submission."""
    submitted = CaseEvent.objects.filter(case=OuterRef("pk"), to_status=Case.Status.SUBMITTED)
    return ~Q(status=Case.Status.DRAFT) & ~(Q(status=Case.Status.WITHDRAWN) & ~Exists(submitted))


def ever_submitted(case: Case) -> bool:
    if case.status == Case.Status.DRAFT:
        return False
    if case.status == Case.Status.WITHDRAWN:
        return case.events.filter(to_status=Case.Status.SUBMITTED).exists()
    return True


def team_case_ids(user):
    """Ids of the cases whose audit team (its active members) includes the user: a subquery."""
    if not user.is_authenticated:
        return Case.objects.none().values_list("pk", flat=True)
    # one filter() call: both conditions hold for the same team member
    return Case.objects.filter(audit__team__auditor__user=user, audit__team__active=True).values_list("pk", flat=True)


def on_audit_team(user, case: Case) -> bool:
    return Case.objects.filter(pk=case.pk, pk__in=team_case_ids(user)).exists()


def case_roles(user, case: Case) -> set[str]:
    """The user's roles that matter for the case: enterprise roles in its enterprise, CB roles in its CB."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, organisation_id__in=[case.enterprise_id, case.cb_id]).values_list(
            "role", flat=True
        )
    )


def case_visible(user, case: Case, roles: set[str] | None = None) -> bool:
    roles = case_roles(user, case) if roles is None else roles
    if roles & ENTERPRISE_ROLES:
        return True
    if not ever_submitted(case):
        return False
    if roles & CB_STAFF_ROLES:
        return True
    if Role.COMMITTEE in roles and case.status in COMMITTEE_STATUSES:
        return True
    if roles & {Role.AUDITOR, Role.COMMITTEE}:
        return on_audit_team(user, case)
    return False


def case_may(user, case: Case, write: str, roles: set[str] | None = None) -> bool:
    """True when the user (who sees the case) holds the role for `write`."""
    roles = case_roles(user, case) if roles is None else roles
    if write == WRITE_ENTERPRISE:
        return bool(roles & ENTERPRISE_ROLES)
    if write == WRITE_ENTERPRISE_ADMIN:
        return Role.ENTERPRISE_ADMIN in roles
    if roles & ENTERPRISE_ROLES:
        # a member of the applicant takes no CB step on its case, whatever CB role the account
        # holds (one made before accounts were kept to one side: docs/security.md)
        return False
    if write == WRITE_REVIEW:
        return bool(roles & CB_STAFF_ROLES)
    if write == WRITE_AUDIT:
        return bool(roles & {Role.AUDITOR, Role.CB_ADMIN}) and on_audit_team(user, case)
    if write == WRITE_DECIDE:
        return Role.COMMITTEE in roles
    raise ValueError(f"unknown write kind {write!r}")


def case_viewer(user, case: Case, roles: set[str] | None = None) -> Access[Case]:
    """What `user` may do with `case` (their roles for it and the writes they hold), without the
    visibility check: for a case already shown to them (a template tag, a presenter)."""
    roles = case_roles(user, case) if roles is None else roles
    return Access(case, frozenset(roles), frozenset(w for w in WRITES if case_may(user, case, w, roles)))


def case_access(request, pk: int, *, write: str | None = None) -> Access[Case]:
    """The case and what the user may do with it, if the user may see it (Http404 otherwise); with
    `write` the user must also hold the role for that write (PermissionDenied otherwise). See the
    module docstring for the rules. The case has `enterprise`, `cb` and `scheme_version` loaded;
    `roles` are the user's roles for it (enterprise roles in its enterprise, CB roles in its CB)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    case = Case.objects.select_related("enterprise", "cb", "scheme_version").filter(pk=pk).first()
    if case is None:
        raise Http404
    roles = case_roles(user, case)
    if not case_visible(user, case, roles):
        raise Http404
    access = case_viewer(user, case, roles)
    if write is not None and write not in WRITES:
        raise ValueError(f"unknown write kind {write!r}")
    if write is not None and not access.can(write):
        raise PermissionDenied
    return access


def case_for(request, pk: int, *, write: str | None = None) -> Case:
    """The case alone, by `case_access`'s rules (for a view that needs nothing more)."""
    return case_access(request, pk, write=write).obj


def case_access_in(context, case: Case) -> Access[Case]:
    """In a template tag: the page's `access` to this case, else worked out for the request's user."""
    access = context.get("access")
    if isinstance(access, Access) and isinstance(access.obj, Case) and access.obj.pk == case.pk:
        return access
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return case_viewer(user, case) if user is not None else Access(case)


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case the user may see, by the same rules as `case_for` (one query, for lists)."""
    if not user.is_authenticated:
        return Case.objects.none()
    mine = Membership.objects.filter(user=user)
    enterprise_ids = mine.filter(role__in=ENTERPRISE_ROLES).values("organisation_id")
    staff_cb_ids = mine.filter(role__in=CB_STAFF_ROLES).values("organisation_id")
    committee_cb_ids = mine.filter(role=Role.COMMITTEE).values("organisation_id")
    team_cb_ids = mine.filter(role__in=[Role.AUDITOR, Role.COMMITTEE]).values("organisation_id")
    cb_side = (
        Q(cb_id__in=staff_cb_ids)
        | Q(cb_id__in=committee_cb_ids, status__in=COMMITTEE_STATUSES)
        | Q(cb_id__in=team_cb_ids, pk__in=team_case_ids(user))
    )
    return Case.objects.filter(Q(enterprise_id__in=enterprise_ids) | (cb_side & _ever_submitted_q()))


def working_cases(user) -> QuerySet[Case]:
    """The live cases the user works on for a certification body (cb_admin and reviewer of its
    CB, its audit team, the committee once reported): `cases_visible_to`'s CB side, live only."""
    if not user.is_authenticated:
        return Case.objects.none()
    cb_ids = Membership.objects.filter(user=user, role__in=CB_ROLES).values("organisation_id")
    return cases_visible_to(user).filter(cb_id__in=cb_ids, status__in=LIVE_STATUSES)
