"""Surveys: questionnaire builder, distribution, tracking, results and the evaluation index.

A survey's questions are edited as rows (`Question`); publishing freezes them into a
`SurveyVersion` (JSON), and every response keeps the version it answered. Answers are stored
normalized (`Answer`: one row per chosen option, matrix row, rating or text) so that results are
GROUP BY queries. Anonymous responses carry no person, user, timestamp or ordered id; the
one-answer-per-person rule of an anonymous survey lives in `Receipt`, which holds only a keyed
hash of (survey, user) and refers to no response (docs/surveys.md, "Anonymity")."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core.models import TimeStamped
from kejia.surveys.choices import (
    Channel,
    QuestionKind,
    QuestionRole,
    ResponseStatus,
    SurveyKind,
    SurveyStatus,
    TargetKind,
)

DEFAULT_WEIGHTS = {"awareness": 25, "participation": 25, "benefit": 25, "satisfaction": 25}
DEFAULT_MIN_RESPONSES = 5  # the default of Survey.min_responses (staff change it per survey; docs/surveys.md)


def default_weights() -> dict[str, int]:
    return dict(DEFAULT_WEIGHTS)


class Survey(TimeStamped):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("organization"))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices, default=SurveyKind.GENERAL)
    anonymous = models.BooleanField(_("anonymous"), default=False, help_text=_("Answers cannot be traced to a person, not even by an administrator."))
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT, db_index=True)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=16, blank=True, help_text=_("e.g. 2026; evaluation indexes are compared by period."))
    # Evaluated organizations (an evaluation survey): the respondent chooses one.
    subjects = models.ManyToManyField("organizations.Organization", blank=True, related_name="evaluated_in", verbose_name=_("organizations evaluated"))
    index_weights = models.JSONField(_("weights of the four measures"), default=default_weights, blank=True)
    min_responses = models.PositiveSmallIntegerField(
        _("fewest answers for an index"), default=DEFAULT_MIN_RESPONSES, help_text=_("An evaluated organization with fewer answers in a period shows no index.")
    )
    current_version = models.ForeignKey("SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    question_seq = models.PositiveIntegerField(default=0)  # the last question key handed out (q1, q2 …)
    template = models.CharField(max_length=32, blank=True, default="")  # the shipped template it was installed from

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(opens_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")), name="survey_dates_order"
            )
        ]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:answer", args=[self.pk])


class Question(models.Model):
    """A question being edited. `key` is stable across versions, so results add up answers of
    every version; options are matched across versions by their text."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=8)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help = models.CharField(_("help text"), max_length=255, blank=True)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)  # choices; a matrix's columns
    rows = models.JSONField(_("matrix rows"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    min_label = models.CharField(_("label of the lowest value"), max_length=40, blank=True)
    max_label = models.CharField(_("label of the highest value"), max_length=40, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("at most this many choices"), null=True, blank=True)
    # Shown only if the question `condition_key` (an earlier one) has an answer among `condition_options`.
    condition_key = models.CharField(_("show only if question"), max_length=8, blank=True)
    condition_options = models.JSONField(_("has an answer among"), default=list, blank=True)
    role = models.CharField(_("meaning in results"), max_length=16, choices=QuestionRole.choices, blank=True, default="")
    scores = models.JSONField(_("scores of the options (0–100)"), default=list, blank=True)

    class Meta:
        ordering = ["survey_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.key} {self.text}"


class SurveyVersion(models.Model):
    """The questions as published, frozen. Answers refer to it; editing an open survey and
    publishing again makes the next version."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    questions = models.JSONField(default=list)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["survey_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


class Response(models.Model):
    """One person's answers to one survey. The primary key is a random UUID so that ids do not
    tell the order of answers; an anonymous response has no person, user or date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(_("status"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    # Identified surveys only.
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    # The organization evaluated (an evaluation survey).
    subject = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("organization evaluated")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    station = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("survey station")
    )
    draft = models.JSONField(default=dict, blank=True)  # answers saved to continue later; emptied on submission

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], condition=Q(person__isnull=False), name="response_one_per_person"),
            models.UniqueConstraint(fields=["survey", "user"], condition=Q(user__isnull=False), name="response_one_per_user"),
        ]
        indexes = [models.Index(fields=["survey", "status"])]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """One answered item: a chosen option (single, multiple: one row each), a matrix row and its
    column, a rating, or a text. `survey` and `version` are copied from the response so that
    results group without a join."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=8)
    option = models.SmallIntegerField(null=True, blank=True)
    row = models.SmallIntegerField(null=True, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, default="")

    class Meta:
        # Results group by (question, version, row, option, number) within a survey: the index holds
        # those columns in that order, so the GROUP BY reads the index in order (no sort, no table).
        indexes = [
            models.Index(fields=["survey", "question", "version", "row", "option", "number"], name="answer_results_idx"),
            models.Index(fields=["response", "question"]),
        ]
        verbose_name = pgettext_lazy("survey", "answer")
        verbose_name_plural = pgettext_lazy("survey", "answers")

    def __str__(self) -> str:
        return f"{self.question}: {self.option if self.option is not None else self.number if self.number is not None else self.text[:20]}"


class Receipt(models.Model):
    """That someone answered an anonymous survey: HMAC(secret, survey, user id), nothing else —
    no reference to the response, no time. Its key is the hash itself, so no sequence tells the
    order of the receipts either."""

    digest = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="receipts")

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return self.digest[:12]


class PendingAnswer(models.Model):
    """An anonymous answer submitted but not yet written as a response (kejia.surveys.pool): its
    content sealed (kejia.core.pii), no time, a random key. Answers wait here until a batch of
    them is written at once in shuffled order, so that neither ids nor the transactions that
    wrote them (PostgreSQL's xmin) pair a receipt with its answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pending_answers")
    sealed = models.TextField()

    class Meta:
        verbose_name = _("answer waiting to be released")
        verbose_name_plural = _("answers waiting to be released")

    def __str__(self) -> str:
        return str(self.pk)


class Target(TimeStamped):
    """Who a survey is distributed to: people filtered from the talent database, the people an
    organization lists, a survey station whose staff enter answers, or an open link."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=8, choices=TargetKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    token = models.CharField(max_length=32, blank=True, default="", db_index=True)
    invited = models.PositiveIntegerField(_("people invited"), default=0)

    class Meta:
        ordering = ["survey_id", "id"]
        constraints = [models.UniqueConstraint(fields=["token"], condition=~Q(token=""), name="target_token_unique")]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.get_kind_display()}"


class Invitation(models.Model):
    """A person a survey is addressed to (from a people or members target): the base of the
    response rate, the non-respondents list and reminders."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="survey_invitations")
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations")
    invited_on = models.DateField(_("invited on"))
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="invitation_unique")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.person_id}"
