"""S&T worker profiles (科技工作者). Resident ID numbers and phones are sealed (kejia.core.pii),
found by keyed hashes, and shown through stored masks; the plaintext never reaches the database."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.models import TimeStamped
from kejia.people.choices import (
    AchievementKind,
    Education,
    Gender,
    ListingRole,
    OverseasStatus,
    PersonStatus,
    ThreeChiefs,
    TitleLevel,
)
from kejia.reference.choices import Sector


class Person(TimeStamped):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64, db_index=True)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=128, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    # "<surname pinyin>|<birth year>" (resolution.block_key_of): the birth-year + surname block, one index lookup.
    block_key = models.CharField(max_length=40, blank=True, default="", db_index=True)
    id_sealed = models.TextField(blank=True, default="")
    id_hash = models.CharField(max_length=64, blank=True, default="")
    id_masked = models.CharField(_("resident ID number"), max_length=18, blank=True, default="")
    phone_sealed = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=11, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True)
    region = models.ForeignKey("reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    employer_name = models.CharField(_("employer"), max_length=128, blank=True)
    employer_uscc = models.CharField(_("employer's unified social credit code"), max_length=18, blank=True)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, default=Sector.OTHER)
    is_frontline = models.BooleanField(_("front-line (基层一线)"), default=False)
    title = models.CharField(_("professional title"), max_length=64, blank=True)
    title_level = models.CharField(_("title level"), max_length=16, choices=TitleLevel.choices, default=TitleLevel.NONE)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    disciplines = models.ManyToManyField("reference.Discipline", blank=True, related_name="people", verbose_name=_("disciplines"))
    expertise = models.CharField(_("expertise keywords"), max_length=255, blank=True)
    research_summary = models.TextField(_("research summary"), blank=True)
    overseas_status = models.CharField(_("overseas / HK-Macao-Taiwan"), max_length=20, choices=OverseasStatus.choices, default=OverseasStatus.NONE)
    three_chiefs = models.CharField(_("三长 role"), max_length=20, choices=ThreeChiefs.choices, default=ThreeChiefs.NONE)
    programmes = models.JSONField(_("programmes"), default=list, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_source = models.CharField(_("consent source"), max_length=64, blank=True)
    # Agreed to serve as an expert reviewer (the pool of kejia.review is drawn from these people).
    willing_to_review = models.BooleanField(_("willing to review"), default=False, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_records")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], condition=~models.Q(id_hash="") & models.Q(status="active"), name="person_id_hash_unique_active"),
        ]
        indexes = [models.Index(fields=["id_hash"]), models.Index(fields=["sector", "title_level"])]
        verbose_name = _("S&T worker")
        verbose_name_plural = _("S&T workers")

    def __str__(self) -> str:
        return self.name


class Listing(TimeStamped):
    """An organization lists a person (member, expert, staff …); scope of people follows it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="listings")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="listings", verbose_name=_("organization"))
    role = models.CharField(_("role"), max_length=16, choices=ListingRole.choices, default=ListingRole.MEMBER)
    note = models.CharField(_("note"), max_length=128, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "organization", "role"], name="listing_unique")]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")

    def __str__(self) -> str:
        return f"{self.organization} · {self.person}"


class Achievement(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="achievements")
    kind = models.CharField(_("kind"), max_length=16, choices=AchievementKind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")

    def __str__(self) -> str:
        return self.title


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    MERGED = "merged", _("Merged")
    KEPT_APART = "kept_apart", _("Kept apart")


class MatchCandidate(TimeStamped):
    """A pair of records identity resolution could not decide: staff merge them or keep them
    apart. `person_a` is the older record (lower id), so a pair is stored once."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("record A"))
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("record B"))
    score = models.FloatField(_("score"))
    details = models.JSONField(_("field comparisons"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="match_candidate_pair_unique"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="match_candidate_pair_ordered"),
        ]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id}"


class MergeRecord(TimeStamped):
    """Everything needed to undo one merge exactly: the duplicate as it was, the survivor's
    fields the merge filled, and the ids of the rows it moved."""

    survivor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_received", verbose_name=_("kept record"))
    duplicate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_given", verbose_name=_("merged record"))
    candidate = models.ForeignKey(MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("merged by"))
    score = models.FloatField(_("score"), null=True, blank=True)
    duplicate_snapshot = models.JSONField(default=dict)
    survivor_filled = models.JSONField(default=dict)  # field -> the survivor's value before the merge
    survivor_updated_at = models.DateTimeField(null=True, blank=True)
    moved_listings = models.JSONField(default=list)
    dropped_listings = models.JSONField(default=list)  # the duplicate's listings the survivor already had
    moved_achievements = models.JSONField(default=list)
    duplicate_disciplines = models.JSONField(default=list)
    added_disciplines = models.JSONField(default=list)
    moved_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    repointed = models.JSONField(default=list)  # records earlier merged into the duplicate
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("undone by"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"


class LinkRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed")


class LinkRequestReason(models.TextChoices):
    SEVERAL = "several", _("Several profiles have this name and contact")
    NAME_DIFFERS = "name_differs", _("The contact matches but the name differs")
    CONTACT_DIFFERS = "contact_differs", _("The name matches but the contact differs")
    LINKED_ELSEWHERE = "linked_elsewhere", _("The profile is linked to another account")


class LinkRequest(models.Model):
    """A newly registered account that may be this profile, when the match was not certain
    (kejia.people.linking.link_after_registration): staff of an organization listing the
    person approve (the account is linked) or refuse it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_requests", verbose_name=_("account"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="link_requests", verbose_name=_("profile"))
    reason = models.CharField(_("reason"), max_length=20, choices=LinkRequestReason.choices)
    status = models.CharField(_("status"), max_length=10, choices=LinkRequestStatus.choices, default=LinkRequestStatus.PENDING, db_index=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "person"], condition=models.Q(status="pending"), name="link_request_one_pending")]
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id} ({self.status})"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PeopleExport(TimeStamped):
    """A large export of the talent list made by the task worker (services.start_people_export).
    Seen and downloaded by its requester only; the file is kept sealed (AES-GCM) until
    `expires_at`, then deleted. The filters are those of the list page; the people are chosen
    again by the worker, in the requester's scope as it then stands."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by"))
    params = models.JSONField(default=dict, blank=True)  # the list page's filters: {name: [values]}
    unmasked = models.BooleanField(_("unmasked identifiers"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField(_("people"), default=0)
    processed = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    sealed_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    message = models.TextField(_("message"), blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export of people")
        verbose_name_plural = _("exports of people")

    def __str__(self) -> str:
        return f"export {self.pk} by {self.requester_id}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def downloadable(self) -> bool:
        from django.utils import timezone

        return self.status == ExportStatus.DONE and bool(self.sealed_path) and (self.expires_at is None or self.expires_at > timezone.now())
