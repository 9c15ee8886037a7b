"""One import run (a batch): who imported which file into which organization, how far it got, and
the report of every row at fault. The uploaded file itself is kept (sealed) only while the batch
waits for the worker, then deleted: it holds plaintext personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kejia.core.models import TimeStamped


class ImportMode(models.TextChoices):
    ALL = "all", _("Import nothing if any row is bad")
    GOOD = "good", _("Import the good rows, skip the bad ones")


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("S&T workers (talent database)")
    MEMBERS = "members", _("Member list of a society")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportBatch(TimeStamped):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("organization"))
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("imported by"))
    kind = models.CharField(_("kind"), max_length=32, choices=ImportKind.choices, default=ImportKind.PEOPLE)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sealed_path = models.CharField(max_length=255, blank=True, default="")
    mode = models.CharField(_("mode"), max_length=8, choices=ImportMode.choices, default=ImportMode.ALL)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED, db_index=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows checked"), default=0)
    good = models.PositiveIntegerField(_("good rows"), default=0)
    bad = models.PositiveIntegerField(_("bad rows"), default=0)
    created_count = models.PositiveIntegerField(_("people added"), default=0)
    updated_count = models.PositiveIntegerField(_("people updated"), default=0)
    listed_count = models.PositiveIntegerField(_("listings added"), default=0)
    review_count = models.PositiveIntegerField(_("sent to review"), default=0)
    # A member list (kind "members"): the memberships it added to the society.
    members_count = models.PositiveIntegerField(_("memberships added"), default=0)
    committed = models.BooleanField(_("written to the database"), default=False)
    message = models.TextField(_("message"), blank=True)
    # [{"row": 5, "column": "身份证号", "reason": "…", "level": "error"|"notice"}, …]
    report = models.JSONField(_("report"), default=list, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The process running the batch ("host:pid"): a batch left running by a process that is gone is stale.
    worker = models.CharField(max_length=128, blank=True, default="", editable=False)
    # An "all or nothing" import refused for its bad rows keeps its file (sealed) until then, so the
    # good rows can be imported without uploading it again (services.import_good_rows).
    kept_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The batch whose kept file this one imported the good rows of.
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.file_name} → {self.organization_id}"

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)

    @property
    def offers_good_rows(self) -> bool:
        """Whether its good rows can still be imported from the kept file (refused as a whole for its bad rows)."""
        from django.utils import timezone

        return bool(self.kept_until and self.sealed_path and self.kept_until > timezone.now() and self.good and not self.committed)

    @property
    def errors(self) -> list[dict]:
        return [e for e in self.report if e.get("level") == "error"]
