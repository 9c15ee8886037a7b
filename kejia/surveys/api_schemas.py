"""The shapes of the surveys API (kejia/surveys/api.py). Bodies name related objects by id
(`org_id`, `person_id`, `subject_id`); answers are {question key: value} as in
kejia/surveys/questions.py. An anonymous survey's answers never carry a person."""

import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from kejia.core.api import PageParams
from kejia.core.rows import max_length_of
from kejia.organizations.api_schemas import Id, ObjectId, OrgRef
from kejia.surveys.choices import QuestionKind, QuestionRole, SurveyKind, SurveyStatus, TargetKind
from kejia.surveys.models import Question, Survey

__all__ = ["Id", "ObjectId"]

Text = Annotated[str, Field(max_length=5000)]
Title = Annotated[str, Field(max_length=max_length_of(Survey, "title"))]
Period = Annotated[str, Field(max_length=max_length_of(Survey, "period"))]
QuestionText = Annotated[str, Field(max_length=max_length_of(Question, "text"))]
Help = Annotated[str, Field(max_length=max_length_of(Question, "help"))]
MinLabel = Annotated[str, Field(max_length=max_length_of(Question, "min_label"))]
MaxLabel = Annotated[str, Field(max_length=max_length_of(Question, "max_label"))]
QuestionKey = Annotated[str, Field(max_length=max_length_of(Question, "condition_key"))]
Lines = Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)]


class SurveyIn(Schema):
    org_id: Id
    title: Title
    kind: SurveyKind = SurveyKind.GENERAL
    description: Text = ""
    anonymous: bool = False
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    period: Period = ""


class SurveyPatch(Schema):
    title: Title | None = None
    description: Text | None = None
    kind: SurveyKind | None = None
    anonymous: bool | None = None
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    period: Period | None = None
    index_weights: dict[str, float] | None = None
    min_responses: Annotated[int, Field(ge=1, le=1000)] | None = None


class InstallIn(Schema):
    org_id: Id
    template: Annotated[str, Field(pattern="^(status|evaluation)$")]
    period: Period = ""


class SubjectsIn(Schema):
    org_ids: Annotated[list[Id], Field(max_length=500)]


class VersionOut(Schema):
    number: int
    published_at: datetime.datetime
    questions: list[dict[str, Any]]


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    anonymous: bool
    status: str
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    period: str
    organization: OrgRef
    index_weights: dict[str, float]
    min_responses: int = Field(description="An evaluated organization with fewer answers in a period shows no index")
    version: int | None = Field(None, description="The published version answers go to")

    @staticmethod
    def resolve_version(obj) -> int | None:
        return obj.current_version.number if obj.current_version_id else None


class QuestionIn(Schema):
    kind: QuestionKind
    text: QuestionText
    help: Help = ""
    required: bool = True
    options: Lines = []
    rows: Lines = []
    scale_min: Annotated[int, Field(ge=0, le=10)] = 1
    scale_max: Annotated[int, Field(ge=0, le=10)] = 5
    min_label: MinLabel = ""
    max_label: MaxLabel = ""
    max_choices: Annotated[int, Field(ge=1, le=50)] | None = None
    condition_key: QuestionKey = ""
    condition_options: Annotated[list[Annotated[int, Field(ge=0, le=50)]], Field(max_length=50)] = Field(
        [], description="Option indexes (from 0) or rating values of the condition's question"
    )
    role: QuestionRole = QuestionRole.NONE
    scores: Annotated[list[Annotated[float, Field(ge=0, le=100)]], Field(max_length=50)] = []
    position: Annotated[int, Field(ge=0, le=1000)] | None = None


class QuestionPatch(Schema):
    kind: QuestionKind | None = None
    text: QuestionText | None = None
    help: Help | None = None
    required: bool | None = None
    options: Lines | None = None
    rows: Lines | None = None
    scale_min: Annotated[int, Field(ge=0, le=10)] | None = None
    scale_max: Annotated[int, Field(ge=0, le=10)] | None = None
    min_label: MinLabel | None = None
    max_label: MaxLabel | None = None
    max_choices: Annotated[int, Field(ge=1, le=50)] | None = None
    condition_key: QuestionKey | None = None
    condition_options: Annotated[list[Annotated[int, Field(ge=0, le=50)]], Field(max_length=50)] | None = None
    role: QuestionRole | None = None
    scores: Annotated[list[Annotated[float, Field(ge=0, le=100)]], Field(max_length=50)] | None = None


class QuestionMoveIn(Schema):
    offset: Annotated[int, Field(ge=-1, le=1)]


class QuestionOut(Schema):
    id: int
    key: str
    position: int
    kind: str
    text: str
    help: str
    required: bool
    options: list[str]
    rows: list[str]
    scale_min: int
    scale_max: int
    min_label: str
    max_label: str
    max_choices: int | None
    condition_key: str
    condition_options: list[int]
    role: str
    scores: list[float]


class VersionRef(Schema):
    number: int


class TargetIn(Schema):
    kind: TargetKind
    org_id: Id | None = Field(None, description="members: the organization listing the people; station: the survey station")
    filters: dict[str, Any] = Field({}, description="people: region, sector, title_level, age_min, age_max, discipline, organization (id)")


class TargetOut(Schema):
    id: int
    kind: str
    organization: OrgRef | None
    filters: dict[str, Any]
    link: str | None = None
    invited: int

    @staticmethod
    def resolve_link(obj) -> str | None:
        from django.urls import reverse

        return reverse("surveys:link", args=[obj.token]) if obj.token else None


class SurveyPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SurveyOut]


class TargetPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TargetOut]


class TrackingOut(Schema):
    invited: int
    answered: int
    submitted: int
    drafts: int
    rate: float | None
    by_channel: dict[str, int]
    reminded_today: int


class NonRespondentOut(Schema):
    person_id: int
    name: str
    invited_on: datetime.date
    reminded_on: datetime.date | None


class TrackingDetailOut(TrackingOut):
    non_respondents: list[NonRespondentOut] = Field(..., description="Empty for an anonymous survey")


class RemindedOut(Schema):
    reminded: int


class FormOut(Schema):
    survey: SurveyOut
    version: int
    questions: list[dict[str, Any]]
    subjects: list[OrgRef]
    answered: bool
    draft: dict[str, Any] = Field(..., description="Answers saved to continue later")
    draft_id: str | None = Field(None, description="An anonymous survey's draft: send it back to continue")


class AnswerIn(Schema):
    answers: dict[str, Any]
    submit: bool = Field(True, description="False: save to continue later")
    subject_id: Id | None = None
    token: Annotated[str, Field(max_length=32)] = Field("", description="The open link's token, if answering through it")
    draft_id: Annotated[str, Field(max_length=40)] = ""


class AnswerOut(Schema):
    status: str
    draft_id: str | None = Field(None, description="An anonymous survey's draft id (saved, not submitted)")


class StationAnswerIn(Schema):
    station_id: Id
    answers: dict[str, Any]
    person_id: Id | None = None
    subject_id: Id | None = None


class BarOut(Schema):
    label: str
    count: int
    share: float


class MatrixRowOut(Schema):
    row: str
    respondents: int
    cells: list[BarOut]


class QuestionResultOut(Schema):
    key: str
    kind: str
    text: str
    respondents: int
    bars: list[BarOut]
    mean: float | None
    matrix: list[MatrixRowOut]
    texts: int


class IndexRowOut(Schema):
    organization: OrgRef
    period: str
    survey_id: int
    respondents: int
    measures: dict[str, float | None]
    index: float | None
    enough: bool


class ResultsOut(Schema):
    submitted: int
    questions: list[QuestionResultOut]
    evaluation: list[IndexRowOut]


class CrosstabRowOut(Schema):
    label: str
    counts: list[int | None] = Field(description="null: hidden (an anonymous survey shows no count below its minimum)")
    total: int | None
    shares: list[float | None]


class CrosstabOut(Schema):
    question: str
    by: str
    columns: list[str]
    rows: list[CrosstabRowOut]
    totals: list[int | None]
    total: int
    hidden_below: int | None = Field(None, description="an anonymous survey's minimum count, when cells are hidden")
    means: list[float | None] | None = None


class CrosstabQuery(Schema):
    question: Annotated[str, Field(max_length=8)]
    by: Annotated[str, Field(max_length=16, description="sector, age_band, region or a single-choice question's key")]


class ExportQuery(Schema):
    what: Annotated[str, Field(pattern="^(results|raw)$")] = "results"


class ListFilters(PageParams):
    status: SurveyStatus | None = None
    kind: SurveyKind | None = None


class EvaluationOut(Schema):
    organization: OrgRef
    periods: list[str]
    rows: list[IndexRowOut]
