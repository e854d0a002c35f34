"""Service records of an enterprise (complaints, repair work orders, return visits, surveys), their
status events, the imports that brought them, the published commitments and audit samples.

Field names are the core's canonical column names (aftersales/core/records/fields.py), so a frame
column, a mapping target and a model field are one name. Datetimes are stored aware (UTC); frames
hold them as naive Asia/Shanghai time. Text left empty in the source is stored as "".
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.choices import text_choices
from aftersales.core.records import kinds
from aftersales.uploads import RandomName

# declared in core.records.kinds (codes and labels)
Kind = text_choices(kinds.Kind)
StatusCategory = text_choices(kinds.StatusCategory)
Channel = text_choices(kinds.Channel)


class RecordImport(models.Model):
    """One import of one file: what came in (file and mapping, with their SHA-256), how far it got,
    and what it changed. A failed import lists every problem and changed no record."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FAILED = "failed", _("failed")
        DONE = "done", _("done")

    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="record_imports", verbose_name=_("enterprise")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    file = models.FileField(_("file"), upload_to=RandomName("records/imports"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size"))
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    mapping_name = models.CharField(_("mapping"), max_length=200)
    mapping_sha256 = models.CharField(_("SHA-256 of the mapping"), max_length=64)
    mapping_text = models.TextField(_("mapping file"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(_("phase"), max_length=16, blank=True)  # "reading" or "writing" while running
    rows_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveBigIntegerField(_("rows in total"), default=0)
    records = models.PositiveBigIntegerField(_("records in the file"), default=0)
    inserted = models.PositiveBigIntegerField(_("inserted"), default=0)
    updated = models.PositiveBigIntegerField(_("updated"), default=0)
    unchanged = models.PositiveBigIntegerField(_("unchanged"), default=0)
    events = models.PositiveBigIntegerField(_("status events added"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_label = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")), name="recordimport_progress_bounded"),
            models.CheckConstraint(
                condition=Q(file_sha256__regex=r"^[0-9a-f]{64}$"), name="recordimport_file_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running"], finished_at__isnull=True)
                | Q(status__in=["failed", "done"], finished_at__isnull=False),
                name="recordimport_finished_when_over",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind}, {self.status})"

    @property
    def is_over(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.DONE}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class Record(models.Model):
    """What every record has: its enterprise, the source's id, the import that last changed it."""

    # Bulk-loaded tables (a million rows per import): no single-column indexes on the two keys (the
    # unique (enterprise, external_id) index serves lookups by enterprise) and no foreign-key
    # constraint in the database, whose per-row checks at commit would cost more than the import
    # itself on PostgreSQL. Only the import service writes these columns, with the ids of rows it
    # holds in the same transaction; organisations and imports are never deleted (PROTECT).
    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    external_id = models.CharField(_("external id"), max_length=128)
    import_batch = models.ForeignKey(
        RecordImport,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by import"),
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.external_id


def _after(field: str, start: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": F(start)}), name=name
    )


class Complaint(Record):
    received_at = models.DateTimeField(_("received at"))
    category = models.CharField(_("category"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=StatusCategory.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    status_at = models.DateTimeField(_("status at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "external_id"], name="complaint_external_id_unique"),
            _after("first_response_at", "received_at", "complaint_response_after_received"),
            _after("closed_at", "received_at", "complaint_closed_after_received"),
        ]
        indexes = [models.Index(fields=["enterprise", "received_at"], name="complaint_received_idx")]


class WorkOrder(Record):
    received_at = models.DateTimeField(_("received at"))
    product = models.CharField(_("product"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=StatusCategory.choices)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    fault = models.TextField(_("fault"), blank=True)
    outlet = models.CharField(_("service outlet"), max_length=200, blank=True)
    technician = models.CharField(_("technician"), max_length=100, blank=True)
    promised_arrival_at = models.DateTimeField(_("promised arrival"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    parts = models.TextField(_("parts"), blank=True)
    visits = models.PositiveIntegerField(_("visits"), null=True, blank=True)
    repeat_of = models.CharField(_("repeat of"), max_length=128, blank=True)
    status_at = models.DateTimeField(_("status at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "external_id"], name="workorder_external_id_unique"),
            _after("arrived_at", "received_at", "workorder_arrived_after_received"),
            _after("completed_at", "received_at", "workorder_completed_after_received"),
            _after("completed_at", "arrived_at", "workorder_completed_after_arrived"),
            models.CheckConstraint(condition=Q(visits__isnull=True) | Q(visits__gte=1), name="workorder_visits_min"),
        ]
        indexes = [models.Index(fields=["enterprise", "received_at"], name="workorder_received_idx")]


class ReturnVisit(Record):
    subject_kind = models.CharField(
        _("visited record kind"),
        max_length=16,
        choices=[(Kind.COMPLAINT, Kind.COMPLAINT.label), (Kind.WORK_ORDER, Kind.WORK_ORDER.label)],
    )
    subject_id = models.CharField(_("visited record"), max_length=128)
    visited_at = models.DateTimeField(_("visited at"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    reached = models.BooleanField(_("customer reached"), null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "external_id"], name="returnvisit_external_id_unique"),
            models.CheckConstraint(
                condition=Q(subject_kind__in=["complaint", "work_order"]), name="returnvisit_subject_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "visited_at"], name="returnvisit_visited_idx"),
            models.Index(fields=["enterprise", "subject_kind", "subject_id"], name="returnvisit_subject_idx"),
        ]


class SurveyResponse(Record):
    answered_at = models.DateTimeField(_("answered at"))
    scale = models.PositiveSmallIntegerField(_("scale"))
    score = models.PositiveSmallIntegerField(_("score"))
    nps = models.PositiveSmallIntegerField(_("recommend (0–10)"), null=True, blank=True)
    subject_kind = models.CharField(_("about record kind"), max_length=16, blank=True)
    subject_id = models.CharField(_("about record"), max_length=128, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "external_id"], name="survey_external_id_unique"),
            models.CheckConstraint(condition=Q(scale__in=[5, 10, 100]), name="survey_scale_known"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=F("scale")), name="survey_score_on_scale"),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10), name="survey_nps_0_10"),
        ]
        indexes = [models.Index(fields=["enterprise", "answered_at"], name="survey_answered_idx")]


# kind -> (model, the datetime field that places a record in a month)
RECORD_MODELS: dict[str, type[Record]] = {
    Kind.COMPLAINT: Complaint,
    Kind.WORK_ORDER: WorkOrder,
    Kind.RETURN_VISIT: ReturnVisit,
    Kind.SURVEY: SurveyResponse,
}
DATE_FIELD = {
    Kind.COMPLAINT: "received_at",
    Kind.WORK_ORDER: "received_at",
    Kind.RETURN_VISIT: "visited_at",
    Kind.SURVEY: "answered_at",
}


class StatusEvent(models.Model):
    """One status a record had at one time, as the source's event log says. Append-only; the same
    (record, time, status) is kept once however often it is imported."""

    # bulk-loaded like the records: no single-column index, no database FK constraint (see Record)
    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=[(Kind.COMPLAINT, Kind.COMPLAINT.label), (Kind.WORK_ORDER, Kind.WORK_ORDER.label)],
    )
    external_id = models.CharField(_("external id"), max_length=128)
    status = models.CharField(_("status"), max_length=16, choices=StatusCategory.choices)
    status_raw = models.CharField(_("status in the source"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))
    import_batch = models.ForeignKey(
        RecordImport, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "external_id", "at", "status"], name="statusevent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} {self.status} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("status events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("status events are append-only")


class Commitment(models.Model):
    """The service commitments an enterprise publishes, from a date on. A change is a new row; the
    commitment in force on a day is the latest one effective on or before it. Empty = not promised."""

    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("enterprise")
    )
    effective_from = models.DateField(_("effective from"))
    first_response_hours = models.DecimalField(
        _("first response within (hours)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    arrival_hours = models.DecimalField(
        _("on site within (hours)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    completion_hours = models.DecimalField(
        _("repair completed within (hours)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    complaint_closure_working_days = models.DecimalField(
        _("complaints closed within (working days)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(first_response_hours__isnull=True) | Q(first_response_hours__gt=0))
                & (Q(arrival_hours__isnull=True) | Q(arrival_hours__gt=0))
                & (Q(completion_hours__isnull=True) | Q(completion_hours__gt=0))
                & (Q(complaint_closure_working_days__isnull=True) | Q(complaint_closure_working_days__gt=0)),
                name="commitment_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.effective_from}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("commitments are versioned: publish a new one instead of editing")
        super().save(*args, **kwargs)


class AuditSample(models.Model):
    """A reproducible random sample of one enterprise's records: the seed, the method and the hash
    of the sorted population are stored, so anyone can draw it again and get the same records."""

    class Method(models.TextChoices):
        SIMPLE = "simple", _("simple random")
        MONTH = "stratified-month", _("stratified by month")
        CATEGORY = "stratified-category", _("stratified by category")

    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="audit_samples", verbose_name=_("enterprise")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    seed = models.CharField(_("seed"), max_length=64)
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    n = models.PositiveIntegerField(_("sample size"))
    frame_hash = models.CharField(_("SHA-256 of the population"), max_length=64)
    frame_size = models.PositiveIntegerField(_("population size"))
    allocation = models.JSONField(_("allocation"), default=dict, blank=True)
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment"),
    )
    item_code = models.CharField(_("item"), max_length=64, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_by_label = models.CharField(_("drawn by"), max_length=150)
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(n__gte=1), name="sample_n_positive"),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")),
                name="sample_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(assessment__isnull=True, item_code="") | Q(assessment__isnull=False) & ~Q(item_code=""),
                name="sample_item_with_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} n={self.n} seed={self.seed}"


class SampleEntry(models.Model):
    class Verdict(models.TextChoices):
        PENDING = "pending", _("not judged yet")
        CONFORM = "conform", _("conforming")
        NONCONFORM = "nonconform", _("nonconforming")

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="entries")
    record_key = models.CharField(_("record"), max_length=128)
    position = models.PositiveIntegerField(_("number"))
    stratum = models.CharField(_("stratum"), max_length=100, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, default=Verdict.PENDING)
    note = models.TextField(_("note"), blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)

    class Meta:
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "position"], name="sampleentry_position_unique"),
            models.UniqueConstraint(fields=["sample", "record_key"], name="sampleentry_record_unique"),
            models.CheckConstraint(
                condition=Q(verdict="pending", judged_at__isnull=True)
                | ~Q(verdict="pending") & Q(judged_at__isnull=False),
                name="sampleentry_judged_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.record_key}: {self.verdict}"
