"""Rules declared once (docs/architecture.md), for activities, surveys, volunteering and voice:
the API schemas and the forms take the length limits of the text fields stored as sent from the
model (`core.api.model_field`, `core.rows.max_length_of`), and the people's name limit in
`clean_profile` is the model's."""

import pytest
from django import forms
from ninja import Schema

from kejia.activities import api_schemas as activity_schemas
from kejia.activities import forms as activity_forms
from kejia.activities.models import AttendanceCertificate, Event, Registration
from kejia.core.errors import ValidationFailed
from kejia.organizations.models import Organization
from kejia.people.models import Person
from kejia.people.services import clean_profile
from kejia.surveys import api_schemas as survey_schemas
from kejia.surveys import forms as survey_forms
from kejia.surveys.models import Question, Survey
from kejia.voice import api_schemas as voice_schemas
from kejia.voice import forms as voice_forms
from kejia.voice import services as voice_services
from kejia.voice.models import CalendarDay, DeadlineRule, Item
from kejia.volunteering import api_schemas as volunteer_schemas
from kejia.volunteering import forms as volunteer_forms
from kejia.volunteering.models import ServiceDemand, ServiceRecord

EVENT_TEXTS = ["title", "address", "online_url"]
QUESTION_TEXTS = ["text", "help", "min_label", "max_label", "condition_key"]

# (schema, its field) -> (model, the model's field)
SCHEMAS = [
    *[(activity_schemas.EventIn, name, Event, name) for name in EVENT_TEXTS],
    *[(activity_schemas.EventPatch, name, Event, name) for name in EVENT_TEXTS],
    (activity_schemas.EventReasonIn, "reason", Event, "cancel_reason"),
    (activity_schemas.EventReasonIn, "reason", Registration, "cancel_reason"),
    (activity_schemas.EventRequiredReasonIn, "reason", AttendanceCertificate, "revoke_reason"),
    (survey_schemas.SurveyIn, "title", Survey, "title"),
    (survey_schemas.SurveyIn, "period", Survey, "period"),
    (survey_schemas.SurveyPatch, "title", Survey, "title"),
    (survey_schemas.SurveyPatch, "period", Survey, "period"),
    (survey_schemas.InstallIn, "period", Survey, "period"),
    *[(survey_schemas.QuestionIn, name, Question, name) for name in QUESTION_TEXTS],
    *[(survey_schemas.QuestionPatch, name, Question, name) for name in QUESTION_TEXTS],
    (volunteer_schemas.TeamIn, "name", Organization, "name"),
    (volunteer_schemas.TeamIn, "code", Organization, "code"),
    *[(volunteer_schemas.DemandIn, name, ServiceDemand, name) for name in ["title", "requester", "address"]],
    (volunteer_schemas.ServiceIn, "address", ServiceRecord, "address"),
    (volunteer_schemas.CorrectionIn, "address", ServiceRecord, "address"),
    (voice_schemas.ItemIn, "title", Item, "title"),
    (voice_schemas.VoiceRuleIn, "source", DeadlineRule, "source"),
    (voice_schemas.CalendarIn, "name", CalendarDay, "name"),
]

# (form, its field) -> (model, the model's field)
FORMS = [
    *[(activity_forms.EventForm, name, Event, name) for name in EVENT_TEXTS],
    (activity_forms.CancelEventForm, "reason", Event, "cancel_reason"),
    (activity_forms.ReasonForm, "reason", Registration, "cancel_reason"),
    (activity_forms.RequiredReasonForm, "reason", AttendanceCertificate, "revoke_reason"),
    (survey_forms.SurveyForm, "title", Survey, "title"),
    (survey_forms.SurveyForm, "period", Survey, "period"),
    (survey_forms.InstallForm, "period", Survey, "period"),
    *[(survey_forms.QuestionForm, name, Question, name) for name in ["text", "help", "min_label", "max_label"]],
    (volunteer_forms.TeamForm, "name", Organization, "name"),
    (volunteer_forms.TeamForm, "code", Organization, "code"),
    *[(volunteer_forms.DemandForm, name, ServiceDemand, name) for name in ["title", "requester", "address"]],
    (volunteer_forms.ServiceForm, "address", ServiceRecord, "address"),
    (voice_forms.SendForm, "title", Item, "title"),
    (voice_forms.RuleForm, "source", DeadlineRule, "source"),
    (voice_forms.CalendarForm, "name", CalendarDay, "name"),
]


def _max_length(schema: type[Schema], name: str) -> int:
    prop = schema.model_json_schema()["properties"][name]
    lengths = [p["maxLength"] for p in prop.get("anyOf", [prop]) if "maxLength" in p]
    assert len(lengths) == 1, prop
    return lengths[0]


def _id(value):
    return getattr(value, "__name__", value if isinstance(value, str) else "")


@pytest.mark.parametrize(("schema", "name", "model", "field"), SCHEMAS, ids=_id)
def test_api_schema_limits_are_the_models(schema, name, model, field):
    assert _max_length(schema, name) == model._meta.get_field(field).max_length


@pytest.mark.parametrize(("form", "name", "model", "field"), FORMS, ids=_id)
def test_form_limits_are_the_models(form, name, model, field):
    declared = form.base_fields[name]
    assert isinstance(declared, forms.CharField)
    assert declared.max_length == model._meta.get_field(field).max_length


def test_voice_title_limit_is_the_items():
    assert voice_services.TITLE_MAX == Item._meta.get_field("title").max_length


def test_clean_profile_says_the_models_name_limit(monkeypatch):
    monkeypatch.setattr(Person._meta.get_field("name"), "max_length", 10)
    with pytest.raises(ValidationFailed) as refused:
        clean_profile({"name": "x" * 11})
    assert refused.value.field == "name"
    assert "10" in str(refused.value.errors["name"][0])
    assert clean_profile({"name": "x" * 10})["name"] == "x" * 10
