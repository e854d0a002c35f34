"""Audits of certification cases: auditors and their declared conflicts, the plan and team, the
enterprise's objections, nonconformities and their rectification, the issued report and the
committee's decision.

The scoring itself is an `assessments.Assessment` of kind "audit" (`Audit.assessment`); the
status of the case moves only through `certification.cases.case_transition`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.assessments.models import Assessment
from aftersales.certification.models import Case
from aftersales.uploads import RandomName


class Auditor(models.Model):
    """A certification body's registered auditor (a user holding the auditor role there)."""

    cb = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="auditors", verbose_name=_("certification body")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auditor_records")
    registration = models.CharField(_("registration number"), max_length=64)
    valid_until = models.DateField(_("qualification valid until"))
    industries = models.CharField(_("industries"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["registration"]
        constraints = [
            models.UniqueConstraint(fields=["cb", "user"], name="auditor_one_per_cb"),
            models.UniqueConstraint(fields=["cb", "registration"], name="auditor_registration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.registration})"


class ConflictDeclaration(models.Model):
    """An auditor's declared link with an enterprise (consulting, employment, other), from–to."""

    class Kind(models.TextChoices):
        CONSULTING = "consulting", _("consulting")
        EMPLOYMENT = "employment", _("employment")
        OTHER = "other", _("other")

    auditor = models.ForeignKey(Auditor, on_delete=models.CASCADE, related_name="conflicts")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)  # open: still going on
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="conflict_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.auditor} / {self.enterprise_id}: {self.kind} {self.start}–{self.end or ''}"


class Audit(models.Model):
    """The audit programme and plan of one case, and the draft conclusion of its report."""

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("on-site audit")
        REMOTE = "remote", _("remote audit")
        MIXED = "mixed", _("mixed")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="audit")
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_of"
    )
    mode = models.CharField(_("audit mode"), max_length=16, choices=Mode.choices, default=Mode.ON_SITE)
    start_date = models.DateField(_("first day"), null=True, blank=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    man_days = models.DecimalField(_("man-days"), max_digits=6, decimal_places=1, null=True, blank=True)
    sites = models.TextField(_("sites"), blank=True)  # one per line
    agenda = models.JSONField(_("agenda"), default=list, blank=True)  # [{"when", "activity", "who"}]
    sampling = models.JSONField(_("sampling plan"), default=list, blank=True)  # [{"item", "size", "what"}]
    sent_at = models.DateTimeField(_("plan sent at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    recommended_level = models.CharField(_("recommended level"), max_length=16, blank=True)
    # why the recommendation is below the level the score reached (the draft; the report keeps its own)
    recommendation_reason = models.TextField(_("reason for the recommended level"), blank=True)
    # the CB policy version (id, sha256) that set the rectification deadlines (aftersales/policy.py)
    rectification_policy = models.JSONField(_("rectification policy"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="audit_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(man_days__isnull=True) | Q(man_days__gt=0), name="audit_man_days"),
        ]

    def __str__(self) -> str:
        return f"audit of {self.case_id}"

    def site_list(self) -> list[str]:
        return [line.strip() for line in self.sites.splitlines() if line.strip()]


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("team leader")
        MEMBER = "member", _("team member")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="team")
    auditor = models.ForeignKey(Auditor, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    active = models.BooleanField(_("on the team"), default=True)  # false once replaced after an objection
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]  # "leader" sorts before "member"
        constraints = [
            models.UniqueConstraint(fields=["audit", "auditor"], condition=Q(active=True), name="team_member_once"),
            models.UniqueConstraint(fields=["audit"], condition=Q(active=True, role="leader"), name="team_one_leader"),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} ({self.role})"


class Objection(models.Model):
    """The enterprise's objection to an auditor of the plan, and the certification body's answer."""

    class Answer(models.TextChoices):
        REPLACED = "replaced", _("auditor replaced")
        KEPT = "kept", _("auditor kept")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="objections")
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, blank=True)
    answer_reason = models.TextField(_("answer reason"), blank=True)
    replacement = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True) | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="objection_answer_complete",
            )
        ]

    def __str__(self) -> str:
        return f"objection to {self.member}"


class Nonconformity(models.Model):
    """A finding tied to one item: major or minor nonconformity (rectified by a deadline) or an
    observation (no rectification)."""

    class Grade(models.TextChoices):
        MAJOR = "major", _("major nonconformity")
        MINOR = "minor", _("minor nonconformity")
        OBSERVATION = "observation", _("observation")

    class State(models.TextChoices):
        OPEN = "open", _("awaiting the enterprise's answer")
        ANSWERED = "answered", _("answered, awaiting verification")
        ACCEPTED = "accepted", _("rectification accepted")
        REJECTED = "rejected", _("rectification rejected")
        NOTED = "noted", _("observation noted")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    item_code = models.CharField(_("item"), max_length=64)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    description = models.TextField(_("description"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    cause = models.TextField(_("cause"), blank=True)
    correction = models.TextField(_("correction"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_reason = models.TextField(_("verification reason"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "nonconformities"
        constraints = [
            # observations have no deadline; nonconformities get theirs when rectification starts
            models.CheckConstraint(
                condition=~Q(grade="observation") | Q(deadline__isnull=True), name="observation_no_deadline"
            )
        ]
        indexes = [models.Index(fields=["audit", "item_code"], name="finding_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_code} {self.grade}"

    @property
    def is_nc(self) -> bool:
        return self.grade != self.Grade.OBSERVATION


class RectificationFile(models.Model):
    """Evidence the enterprise attaches to its answer to a nonconformity (checked like assessment evidence)."""

    finding = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=RandomName("rectification"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Immutable(models.Model):
    """Rows that are written once: saving an existing row or deleting raises."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name} records are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} records are immutable")


class AuditReport(Immutable):
    """The final audit report issued by the team leader: the frozen audit record and its SHA-256."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="reports")
    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("report number"))  # 1, 2, … per audit (a send-back starts another)
    record = models.JSONField(_("frozen audit record"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    score_exact = models.CharField(max_length=64)
    level = models.CharField(_("level"), max_length=16)
    recommended_level = models.CharField(_("recommended level"), max_length=16)
    # required when the recommendation is not the level the score reached (shown beside the score)
    recommendation_reason = models.TextField(_("reason for the recommended level"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="report_number_unique"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="report_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"report {self.number} of {self.audit}"


class Decision(Immutable):
    """The review committee's certification decision on a reported case. Immutable; the same
    content is in the case's hash-chained event (`event`)."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("approve at the recommended level")
        APPROVE_LOWER = "approve_lower", _("approve at a lower level")
        REFUSE = "refuse", _("refuse certification")
        SEND_BACK = "send_back", _("send back to the audit team")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    report = models.ForeignKey(AuditReport, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    level = models.CharField(_("level"), max_length=16, blank=True)
    reasons = models.TextField(_("reasons"))
    scheme_id = models.CharField(max_length=64)
    scheme_version = models.CharField(max_length=64)
    scheme_sha256 = models.CharField(max_length=64)
    inputs = models.JSONField()
    result = models.JSONField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    event = models.OneToOneField("certification.CaseEvent", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["refuse", "send_back"], level="")
                | Q(outcome__in=["approve", "approve_lower"]) & ~Q(level=""),
                name="decision_level_when_approved",
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="decision_has_reasons"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome} {self.level}"


class DecisionVote(Immutable):
    """One committee member's vote on a reported case's report, cast after declaring no conflict of
    interest with the case. Immutable, once per member and report; the same content is in the
    case's hash-chained event (`event`). The decision is taken when the votes reach the CB
    policy's quorum and agree (audits.decisions; docs/policy.md)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="votes")
    report = models.ForeignKey(AuditReport, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Decision.Outcome.choices)
    level = models.CharField(_("level"), max_length=16, blank=True)
    reasons = models.TextField(_("reasons"))
    no_conflict_declared = models.BooleanField(_("declared no conflict of interest"))
    cast_at = models.DateTimeField(_("cast at"))
    event = models.OneToOneField("certification.CaseEvent", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["report", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "member"], name="vote_once_per_member"),
            models.CheckConstraint(condition=Q(no_conflict_declared=True), name="vote_no_conflict_declared"),
            models.CheckConstraint(condition=~Q(reasons=""), name="vote_has_reasons"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.member_id} votes {self.outcome} {self.level}"
