"""Stored expert review, generic over what is reviewed: a round (its owner, criteria, blind or
not, k reviewers per item, loads, deadline), the items (an application of a call, later an award
nomination: a stable reference string, a title, the text the affinity reads and the facts the
conflict rules read), invitations to the reviewers of the talent database, the conflicts declared
or found, the assignment and one score sheet per assigned pair. State changes only through
kejia.review.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kejia.core.models import TimeStamped


def default_criteria() -> list[dict]:
    """The four criteria of the seed-004 call (改革创新性 30, 可行性 30, 示范推广价值 20, 工作基础 20)."""
    return [
        {"code": "innovation", "label": "改革创新性", "weight": 30, "max_score": 10},
        {"code": "feasibility", "label": "可行性", "weight": 30, "max_score": 10},
        {"code": "demonstration", "label": "示范推广价值", "weight": 20, "max_score": 10},
        {"code": "groundwork", "label": "工作基础", "weight": 20, "max_score": 10},
    ]


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open: inviting reviewers")
    ASSIGNING = "assigning", _("Assigning reviewers")
    SCORING = "scoring", _("Scoring")
    CLOSED = "closed", _("Closed")


class ReviewRound(TimeStamped):
    owner = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="review_rounds", verbose_name=_("organization running the review")
    )
    # What the round reviews, as a stable reference ("calls.call:12"); empty for a free-standing round.
    subject = models.CharField(_("subject"), max_length=64, blank=True, default="", db_index=True)
    title = models.CharField(_("title"), max_length=200)
    criteria = models.JSONField(_("criteria"), default=default_criteria)
    conflict_rules = models.JSONField(_("conflict rules"), default=dict, blank=True)
    blind = models.BooleanField(_("blind review"), default=False)
    per_item = models.PositiveSmallIntegerField(_("reviewers per item"), default=3)
    max_load = models.PositiveSmallIntegerField(_("maximum load per reviewer"), default=6)
    min_load = models.PositiveSmallIntegerField(_("minimum load per reviewer"), default=0)
    # The assignment's candidates: each item's best this many reviewers by affinity (widened when
    # they cannot give every item its reviewers); every eligible pair when the pool is no larger.
    candidates_per_item = models.PositiveIntegerField(_("candidate reviewers per item"), default=200)
    min_on_time_rate = models.FloatField(_("minimum on-time rate of a reviewer"), null=True, blank=True)
    score_deadline = models.DateTimeField(_("deadline for scores"), null=True, blank=True)
    remind_days = models.PositiveSmallIntegerField(_("remind this many days before the deadline"), default=3)
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")

    def __str__(self):
        return self.title


class ReviewItem(TimeStamped):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="items")
    ref = models.CharField(_("reference"), max_length=64)  # e.g. "calls.application:12"
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text for matching reviewers"), blank=True, default="")
    applicant_name = models.CharField(_("applicant"), max_length=200, blank=True, default="")  # hidden from reviewers in a blind round
    applicant_org = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    applicant_path = models.CharField(max_length=255, blank=True, default="")
    recommender_org = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recommender_path = models.CharField(max_length=255, blank=True, default="")
    people = models.JSONField(_("people involved"), default=list, blank=True)  # person ids
    employers = models.JSONField(_("employers of the people involved"), default=list, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "ref"], name="review_item_ref_unique")]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")

    def __str__(self):
        return self.title


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Invitation(TimeStamped):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="review_invitations", verbose_name=_("reviewer"))
    status = models.CharField(_("status"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.INVITED, db_index=True)
    reason = models.TextField(_("reason"), blank=True, default="")
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="review_invitation_unique")]
        verbose_name = _("invitation to review")
        verbose_name_plural = _("invitations to review")

    def __str__(self):
        return f"{self.round} · {self.person}"


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the reviewer")
    FOUND_AFTER = "found_after", _("Found after the fact")


class ConflictReport(TimeStamped):
    """A conflict of interest between a reviewer and an item that no data showed: declared by the
    reviewer, or found afterwards by the organization running the round (it counts against the
    reviewer's credibility)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="conflict_reports")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="conflict_reports")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="review_conflicts")
    source = models.CharField(_("source"), max_length=12, choices=ConflictSource.choices)
    reason = models.TextField(_("reason"), blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "person", "source"], name="review_conflict_report_unique")]


class DeclaredRelation(TimeStamped):
    """A relation between two people that bars one from reviewing the other (supervisor, student,
    relative…), either way round."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("relation"), max_length=64, blank=True, default="")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="review_relation_unique"),
            models.CheckConstraint(condition=~Q(person=models.F("other")), name="review_relation_not_self"),
        ]


class Assignment(TimeStamped):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="review_assignments", verbose_name=_("reviewer"))
    affinity = models.FloatField(_("affinity"), default=0.0)
    manual = models.BooleanField(_("chosen by hand"), default=False)
    conflict_declared = models.BooleanField(_("conflict declared"), default=False)

    class Meta:
        ordering = ["item", "-affinity", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="review_assignment_unique")]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self):
        return f"{self.item} · {self.person}"


class ScoreSheet(TimeStamped):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="sheet")
    scores = models.JSONField(_("scores"), default=dict, blank=True)  # criterion code → score
    comments = models.TextField(_("comments"), blank=True, default="")
    total = models.FloatField(_("weighted total"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
