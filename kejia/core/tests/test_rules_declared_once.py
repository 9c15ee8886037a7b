"""A single field's rule is declared once, on the model (docs/architecture.md, "Rules declared
once"): the API schemas take their length limits from it (`core.api.model_field`) and the services
run it on a partial update as on a creation (`core.rows`)."""

import pytest
from ninja import Schema

from kejia.core.api import model_field
from kejia.core.errors import DomainError, ValidationFailed
from kejia.governance import api_schemas as gov_schemas
from kejia.governance import forms as gov_forms
from kejia.governance.models import Body, DeclaredPost, Rule, RuleSet, Seat, Slate
from kejia.memberships import api_schemas as mem_schemas
from kejia.memberships import forms as mem_forms
from kejia.memberships.models import DuesPayment, GroupRepresentative, MemberClass, Membership, MembershipRules
from kejia.organizations import api_schemas
from kejia.organizations import forms as org_forms
from kejia.organizations import services as org_services
from kejia.organizations.models import Filing, Organization
from kejia.people import api as people_api
from kejia.people import forms as people_forms
from kejia.people import services as people_services
from kejia.people.models import Achievement, Listing, Person

DERIVED = [
    (people_api.ProfilePatch, Person, ["name", "email", "employer_name", "title", "expertise"]),
    (people_api.PersonCreateIn, Person, ["name", "consent_source"]),
    (people_api.LinkIn, Person, ["name"]),
    (people_api.AchievementIn, Achievement, ["title"]),
    (people_api.ListingIn, Listing, ["note"]),
    (api_schemas.OrgCreateIn, Organization, ["name", "code", "short_name", "leader_in_charge", "leader_in_contact", "address", "website"]),
    (api_schemas.OrgPatchIn, Organization, ["name", "code", "short_name", "leader_in_charge", "leader_in_contact", "address", "website"]),
    (api_schemas.FilingIn, Filing, ["name", "host_name", "chair_name", "contact_name"]),
    (gov_schemas.BodyIn, Body, ["name"]),
    (gov_schemas.SlateIn, Slate, ["name"]),
    (gov_schemas.PostApprovalIn, Seat, ["approved_by"]),
    (gov_schemas.DeclaredPostIn, DeclaredPost, ["organization_name", "post", "approved_by"]),
    (mem_schemas.MemberClassIn, MemberClass, ["code", "name", "kind", "min_title_level"]),
    (mem_schemas.MemberClassPatch, MemberClass, ["code", "name", "kind", "min_title_level"]),
    (mem_schemas.RulesPatch, MembershipRules, ["number_format"]),
    (mem_schemas.OptionalReasonIn, Membership, ["reason"]),
    (mem_schemas.RepresentativeIn, GroupRepresentative, ["role"]),
    (mem_schemas.PaymentIn, DuesPayment, ["receipt_no", "reference"]),
    (mem_schemas.PaymentReportIn, DuesPayment, ["reference"]),
    (mem_schemas.ConfirmIn, DuesPayment, ["receipt_no"]),
]


def _max_length(schema: type[Schema], name: str) -> int:
    prop = schema.model_json_schema()["properties"][name]
    lengths = [p["maxLength"] for p in prop.get("anyOf", [prop]) if "maxLength" in p]
    assert len(lengths) == 1, prop
    return lengths[0]


@pytest.mark.parametrize(("schema", "model", "names"), DERIVED, ids=lambda x: getattr(x, "__name__", ""))
def test_api_schema_limits_are_the_models(schema, model, names):
    for name in names:
        assert _max_length(schema, name) == model._meta.get_field(name).max_length, name


def test_a_limit_changed_on_the_model_shows_in_the_api_schema(monkeypatch):
    field = Person._meta.get_field("employer_name")
    monkeypatch.setattr(field, "max_length", 40)

    class Probe(Schema):
        employer_name: str | None = model_field(Person, "employer_name", None)

    assert _max_length(Probe, "employer_name") == 40
    with pytest.raises(ValueError):
        Probe(employer_name="x" * 41)


def test_person_update_runs_the_models_rules_like_creation(tree):
    long = "x" * (Person._meta.get_field("employer_name").max_length + 1)
    with pytest.raises(ValidationFailed) as created:
        people_services.create_person(actor=tree.county_staff, organization=tree.xw, name="李明", employer_name=long)
    assert created.value.field == "employer_name"
    person = people_services.create_person(actor=tree.county_staff, organization=tree.xw, name="李明", employer_name="东南大学")
    with pytest.raises(ValidationFailed) as updated:
        people_services.update_person(person, actor=tree.county_staff, employer_name=long)
    assert updated.value.field == "employer_name"
    person.refresh_from_db()
    assert person.employer_name == "东南大学"


def test_person_update_judges_only_what_it_changes(tree):
    person = people_services.create_person(actor=tree.county_staff, organization=tree.xw, name="李明")
    Person.objects.filter(pk=person.pk).update(sector="bogus")  # not a choice: stored before the rule was checked
    people_services.update_person(person, actor=tree.county_staff, title="教授")
    person.refresh_from_db()
    assert person.title == "教授"


def test_organization_update_runs_the_models_rules(tree):
    with pytest.raises(ValidationFailed) as refused:
        org_services.update_organization(tree.xw, actor=tree.county_staff, short_name="x" * 65)
    assert refused.value.field == "short_name"


def test_person_update_to_a_recorded_id_number_is_refused_like_creation(tree):
    number = "32010219800101069X"
    people_services.create_person(actor=tree.county_staff, organization=tree.xw, name="李明", resident_id=number)
    other = people_services.create_person(actor=tree.county_staff, organization=tree.xw, name="王芳")
    with pytest.raises(DomainError) as refused:
        people_services.update_person(other, actor=tree.county_staff, resident_id=number)
    assert (refused.value.code, refused.value.field) == ("duplicate_id", "resident_id")


FORMS = [
    (people_forms.PersonForm, Person, {"name": "name", "email": "email", "employer_name": "employer_name", "title": "title", "expertise": "expertise"}),
    (people_forms.NewPersonForm, Person, {"consent_source": "consent_source"}),
    (people_forms.ConsentForm, Person, {"source": "consent_source"}),
    (people_forms.LinkForm, Person, {"name": "name"}),
    (people_forms.AchievementForm, Achievement, {"title": "title"}),
    (people_forms.ListingForm, Listing, {"note": "note"}),
    (org_forms.OrganizationForm, Organization, {f: f for f in ("name", "short_name", "code", "leader_in_charge", "leader_in_contact", "address", "website")}),
    (org_forms.FilingForm, Filing, {f: f for f in ("name", "host_name", "chair_name", "contact_name")}),
    (gov_forms.BodyForm, Body, {"name": "name"}),
    (gov_forms.SlateForm, Slate, {"name": "name"}),
    (gov_forms.RuleSetForm, RuleSet, {f: f for f in ("name", "jurisdiction", "source", "document")}),
    (gov_forms.RuleForm, Rule, {"note": "note"}),
    (gov_forms.ApprovalForm, Seat, {"approved_by": "approved_by"}),
    (gov_forms.DeclaredPostForm, DeclaredPost, {f: f for f in ("organization_name", "post", "approved_by")}),
    (mem_forms.ResignForm, Membership, {"reason": "reason"}),
    (mem_forms.RecordPaymentForm, DuesPayment, {"receipt_no": "receipt_no", "reference": "reference"}),
    (mem_forms.ReportPaymentForm, DuesPayment, {"reference": "reference"}),
    (mem_forms.ConfirmPaymentForm, DuesPayment, {"receipt_no": "receipt_no"}),
    (mem_forms.RepresentativeForm, GroupRepresentative, {"role": "role"}),
    (mem_forms.MemberClassForm, MemberClass, {"code": "code", "name": "name"}),
    (mem_forms.RulesForm, MembershipRules, {"number_format": "number_format"}),
]


@pytest.mark.parametrize(("form", "model", "names"), FORMS, ids=lambda x: getattr(x, "__name__", ""))
def test_form_limits_are_the_models(form, model, names):
    for field, model_field_name in names.items():
        assert form.base_fields[field].max_length == model._meta.get_field(model_field_name).max_length, field
