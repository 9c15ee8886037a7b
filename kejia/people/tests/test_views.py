"""The talent-database pages through the test client: scope, masking, forms and their errors,
reveal (htmx, audited), achievements, listings, consent, deletion, export and the worker's own
profile. Bad input is a 400 with the message next to the field, never a 500."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kejia.core.models import AuditEvent
from kejia.core.testing import worlds
from kejia.core.testing.notices import last_code
from kejia.people import services
from kejia.people.choices import PersonStatus
from kejia.people.models import Person
from kejia.people.tests.helpers import ID_A, ID_B, link, make

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in their English msgids (zh-hans is the default language)."""
    settings.LANGUAGE_CODE = "en"


def url(name, *args):
    return reverse(f"people:{name}", args=args)


def person_data(**over):
    data = {
        "name": "张伟",
        "gender": "",
        "birth_date": "",
        "resident_id": ID_B,
        "phone": "13905140002",
        "email": "zw@example.cn",
        "region": "320102",
        "employer_name": "南京大学",
        "employer_uscc": "",
        "sector": "university",
        "title": "副教授",
        "title_level": "vice_senior",
        "education": "doctorate",
        "disciplines": "520 52020",
        "expertise": "机器学习 计算机视觉",
        "research_summary": "研究视觉大模型。",
        "overseas_status": "returned",
        "three_chiefs": "none",
        "programmes": "青年人才托举工程",
        "role": "member",
        "consent_source": "书面同意书",
    }
    data.update(over)
    return data


# ---- List ------------------------------------------------------------------------------------


def test_list_needs_login(client, db):
    response = client.get(url("list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_shows_scope_masked(client, tree):
    make(tree)
    client.force_login(tree.nj_staff)
    html = client.get(url("list")).content.decode()
    assert "李明" in html and "*" * 17 + ID_A[-1] in html and "139****0001" in html
    assert ID_A not in html and "13905140001" not in html


def test_list_hides_people_of_a_sibling(client, tree):
    make(tree)
    client.force_login(tree.sibling_staff)
    response = client.get(url("list"))
    assert response.status_code == 200 and "李明" not in response.content.decode()


def test_list_filters_and_htmx_partial(client, tree):
    make(tree)
    make(tree, name="王芳", resident_id=ID_B, phone="13905140002", sector="medical")
    client.force_login(tree.county_staff)
    response = client.get(url("list"), {"q": "wang", "sector": "medical", "frontline": ""}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "王芳" in html and "李明" not in html and "<html" not in html
    response = client.get(url("list"), {"org": "XW"})
    assert "王芳" in response.content.decode()


@pytest.mark.parametrize("params", [{"sector": "spaceship"}, {"frontline": "maybe"}, {"org": "NOPE"}, {"org": "QH"}, {"q": "x" * 500}, {"page": "abc"}])
def test_list_garbage_filters_answer_400_or_200_not_500(client, tree, params):
    client.force_login(tree.county_staff)
    response = client.get(url("list"), params)
    assert response.status_code in (200, 400)
    if "org" in params:
        assert response.status_code == 400 and "No organization in your scope" in response.content.decode()


def test_list_sends_a_worker_without_role_to_their_profile(client, tree):
    client.force_login(tree.worker)
    response = client.get(url("list"))
    assert response.status_code == 302 and response["Location"] == url("me")


# ---- Create ------------------------------------------------------------------------------------


def test_create_person_from_the_form(client, tree):
    client.force_login(tree.county_staff)
    assert client.get(url("new") + f"?org={tree.xw.pk}").status_code == 200
    response = client.post(url("new") + f"?org={tree.xw.pk}", person_data())
    person = Person.objects.get(name="张伟")
    assert response.status_code == 302 and response["Location"] == url("detail", person.pk)
    assert person.id_masked == "*" * 17 + ID_B[-1] and person.programmes == ["青年人才托举工程"]
    assert sorted(person.disciplines.values_list("code", flat=True)) == ["520", "52020"]
    assert person.listings.get().organization == tree.xw and person.consent_source == "书面同意书"


def test_create_person_shows_errors_next_to_fields(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(url("new") + f"?org={tree.xw.pk}", person_data(resident_id="320104199003150021", phone="12345", birth_date="1991-01-01"))
    assert response.status_code == 400
    assert {"resident_id", "phone"} <= set(response.context["form"].errors)
    response = client.post(url("new") + f"?org={tree.xw.pk}", person_data(disciplines="999 abc", birth_date="not a date"))
    assert response.status_code == 400 and {"disciplines", "birth_date"} <= set(response.context["form"].errors)
    response = client.post(url("new") + f"?org={tree.xw.pk}", person_data(region="999999", sector="moon"))
    assert response.status_code == 400 and {"region", "sector"} <= set(response.context["form"].errors)
    assert not Person.objects.exists()


def test_create_with_a_known_id_lists_the_existing_person_when_asked(client, tree):
    person = make(tree, resident_id=ID_B, phone="")
    client.force_login(tree.sibling_staff)
    response = client.post(url("new") + f"?org={tree.qh.pk}", person_data())
    assert response.status_code == 400 and "already in the database" in response.content.decode()
    response = client.post(url("new") + f"?org={tree.qh.pk}", person_data(list_existing="on"))
    assert response.status_code == 302 and person.listings.filter(organization=tree.qh).exists()
    assert Person.objects.count() == 1


@pytest.mark.parametrize("query", ["", "?org=abc", "?org=0", "?org=99999999"])
def test_create_needs_an_organization_in_scope(client, tree, query):
    client.force_login(tree.county_staff)
    assert client.get(url("new") + query).status_code == 404


def test_create_in_a_sibling_or_without_staff_role_is_refused(client, tree):
    client.force_login(tree.county_staff)
    assert client.post(url("new") + f"?org={tree.qh.pk}", person_data()).status_code == 404
    client.force_login(tree.county_leader)
    assert client.post(url("new") + f"?org={tree.xw.pk}", person_data()).status_code == 403
    assert not Person.objects.exists()


# ---- Detail, reveal, edit --------------------------------------------------------------------------


def test_detail_shows_every_part_masked(client, tree):
    person = make(tree, three_chiefs="school_principal", overseas_status="hong_kong", programmes=["333工程"], is_frontline=True)
    services.add_achievement(person, actor=tree.county_staff, kind="standard", title="知识图谱构建规范", year=2025)
    client.force_login(tree.nj_staff)
    html = client.get(url("detail", person.pk)).content.decode()
    for text in ("李明", "东南大学", "教授", "知识图谱构建规范", "333工程", "玄武区科学技术协会", "139****0001"):
        assert text in html
    assert ID_A not in html and "13905140001" not in html


def test_detail_outside_scope_is_404(client, tree):
    person = make(tree)
    for user in (tree.sibling_staff, tree.wx_staff, tree.society_secretary, tree.worker):
        client.force_login(user)
        assert client.get(url("detail", person.pk)).status_code == 404


def test_detail_hides_the_names_of_listings_outside_scope(client, tree):
    person = make(tree)
    services.add_listing(person, actor=tree.platform, organization=tree.qh)
    client.force_login(tree.county_staff)
    html = client.get(url("detail", person.pk)).content.decode()
    assert "秦淮区科学技术协会" not in html and "1 organization outside your scope" in html


def test_reveal_returns_the_htmx_partial_and_audits(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    response = client.post(url("reveal", person.pk), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and ID_A in html and "13905140001" in html and "<html" not in html
    event = AuditEvent.objects.get(action="person.pii_revealed")
    assert event.actor == tree.county_staff and event.object_id == str(person.pk)
    assert client.post(url("reveal", person.pk)).status_code == 200  # without htmx: a page


def test_reveal_needs_a_staff_role(client, tree):
    person = make(tree)
    client.force_login(tree.county_leader)
    assert client.get(url("detail", person.pk)).status_code == 200
    response = client.post(url("reveal", person.pk), **HX)
    assert response.status_code == 403 and ID_A not in response.content.decode()
    client.force_login(tree.sibling_staff)
    assert client.post(url("reveal", person.pk)).status_code == 404
    assert client.get(url("reveal", person.pk)).status_code == 405
    assert not AuditEvent.objects.filter(action="person.pii_revealed").exists()


def test_edit_keeps_identifiers_left_empty_and_shows_history(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    form = client.get(url("edit", person.pk))
    assert form.status_code == 200 and ID_A not in form.content.decode()
    data = person_data(name="李明", resident_id="", phone="", region="", title="研究员", birth_date="")
    response = client.post(url("edit", person.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.title == "研究员" and person.id_masked == "*" * 17 + ID_A[-1] and person.phone_masked == "139****0001"
    html = client.get(url("detail", person.pk)).content.decode()
    assert "研究员" in html and "person.updated" not in html
    assert AuditEvent.objects.filter(action="person.updated", object_id=str(person.pk)).exists()


def test_edit_shows_service_errors_with_400(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    response = client.post(url("edit", person.pk), person_data(name="李明", resident_id="", phone="", gender="F", birth_date=""))
    assert response.status_code == 400 and "gender" in response.context["form"].errors


def test_edit_by_leader_is_403_and_by_sibling_404(client, tree):
    person = make(tree)
    client.force_login(tree.county_leader)
    assert client.get(url("edit", person.pk)).status_code == 403
    client.force_login(tree.sibling_staff)
    assert client.post(url("edit", person.pk), person_data()).status_code == 404


# ---- Achievements, listings, consent ----------------------------------------------------------------


def test_achievement_add_and_remove(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    response = client.post(url("achievement_add", person.pk), {"kind": "award", "title": "省科学技术奖", "year": "2023"})
    assert response.status_code == 302
    item = person.achievements.get()
    response = client.post(url("achievement_remove", person.pk, item.pk))
    assert response.status_code == 302 and not person.achievements.exists()


def test_achievement_add_with_bad_input_is_400(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    response = client.post(url("achievement_add", person.pk), {"kind": "bogus", "title": "", "year": "x"})
    assert response.status_code == 400 and {"kind", "title", "year"} <= set(response.context["achievement_form"].errors)


def test_achievement_remove_of_another_person_is_404(client, tree):
    person = make(tree)
    other = make(tree, name="王芳", resident_id=ID_B, phone="13905140002")
    item = services.add_achievement(other, actor=tree.county_staff, kind="paper", title="论文")
    client.force_login(tree.county_staff)
    assert client.post(url("achievement_remove", person.pk, item.pk)).status_code == 404


def test_listing_add_and_remove(client, tree):
    person = make(tree)
    client.force_login(tree.nj_staff)
    response = client.post(url("listing_add", person.pk), {"org": "QH", "role": "expert", "note": "评审专家"})
    assert response.status_code == 302
    listing = person.listings.get(organization=tree.qh)
    assert client.post(url("listing_remove", person.pk, listing.pk)).status_code == 302
    assert not person.listings.filter(organization=tree.qh).exists()


def test_listing_add_outside_scope_or_unknown_is_400(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    for code in ("QH", "NOPE", ""):
        response = client.post(url("listing_add", person.pk), {"org": code, "role": "member"})
        assert response.status_code == 400
    response = client.post(url("listing_add", person.pk), {"org": "XW", "role": "member"})
    assert response.status_code == 400 and "already lists" in response.content.decode()


def test_listing_remove_of_the_last_one_is_refused(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    response = client.post(url("listing_remove", person.pk, person.listings.get().pk))
    assert response.status_code == 409 and person.listings.count() == 1  # last_listing: a refusal of state


def test_consent_recorded_from_the_profile(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    assert client.post(url("consent", person.pk), {"source": ""}).status_code == 400
    assert client.post(url("consent", person.pk), {"source": "线上注册"}).status_code == 302
    person.refresh_from_db()
    assert person.consent_source == "线上注册"


# ---- Deletion ---------------------------------------------------------------------------------------


def test_anonymize_needs_confirmation(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    assert client.get(url("anonymize", person.pk)).status_code == 200
    response = client.post(url("anonymize", person.pk), {"reason": "本人申请"})
    assert response.status_code == 400
    response = client.post(url("anonymize", person.pk), {"reason": "本人申请", "confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == PersonStatus.ANONYMIZED and person.id_hash == "" and "李明" not in person.name
    assert client.get(url("detail", person.pk)).status_code == 404


def test_anonymize_by_leader_is_403(client, tree):
    person = make(tree)
    client.force_login(tree.county_leader)
    assert client.post(url("anonymize", person.pk), {"reason": "x", "confirm": "on"}).status_code == 403


# ---- Export ------------------------------------------------------------------------------------------


def _rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))


def test_export_masked_by_default(client, tree):
    make(tree)
    client.force_login(tree.county_staff)
    response = client.get(url("export"))
    assert response.status_code == 200 and "masked" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[1][0] == "李明" and ID_A not in str(rows) and "139****0001" in rows[1]


def test_export_unmasked_for_staff_only_and_audited(client, tree):
    make(tree)
    client.force_login(tree.county_staff)
    rows = _rows(client.get(url("export"), {"unmasked": "on"}))
    assert ID_A in rows[1]
    assert AuditEvent.objects.filter(action="person.exported_unmasked", actor=tree.county_staff).exists()
    client.force_login(tree.county_leader)
    assert client.get(url("export"), {"unmasked": "on"}).status_code == 403


def test_export_with_garbage_filters_is_400(client, tree):
    client.force_login(tree.county_staff)
    assert client.get(url("export"), {"sector": "nope"}).status_code == 400


# ---- My profile ------------------------------------------------------------------------------------


def test_me_links_with_the_right_proof_and_edits(client, tree):
    person = make(tree)
    client.force_login(tree.worker)
    assert client.get(url("me")).status_code == 200
    response = client.post(url("me"), {"name": "李明", "resident_id": "", "phone": "139 0514 0002"})
    assert response.status_code == 400 and "No profile matches" in response.content.decode()
    response = client.post(url("me"), {"name": "李明", "resident_id": ID_A, "phone": ""})
    assert response.status_code == 302 and response["Location"] == url("me_confirm")
    person.refresh_from_db()
    assert person.user is None  # the ID number alone proves nothing: the code sent to the profile's phone does
    page = client.get(url("me_confirm")).content.decode()
    assert "139****0001" in page and "13905140001" not in page
    response = client.post(url("me_confirm"), {"code": "000000" if last_code("people.link_code") != "000000" else "111111"})
    assert response.status_code == 400 and "code" in response.context["form"].errors
    response = client.post(url("me_confirm"), {"code": last_code("people.link_code")})
    assert response.status_code == 302 and response["Location"] == url("me")
    person.refresh_from_db()
    assert person.user == tree.worker
    html = client.get(url("me")).content.decode()
    assert "李明" in html and url("me_edit") in html
    form = client.get(url("me_edit"))
    assert form.status_code == 200 and "resident_id" not in form.context["form"].fields
    data = person_data(name="李明", phone="", expertise="知识图谱 大模型", region="", birth_date="")
    data.pop("resident_id")
    response = client.post(url("me_edit"), data)
    assert response.status_code == 302 and response["Location"] == url("me")
    person.refresh_from_db()
    assert person.expertise == "知识图谱 大模型"
    assert AuditEvent.objects.filter(action="person.updated", actor=tree.worker).exists()


def test_me_shows_errors_for_missing_proof(client, tree):
    client.force_login(tree.worker)
    response = client.post(url("me"), {"name": "", "resident_id": "", "phone": ""})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post(url("me"), {"name": "李明", "resident_id": "12", "phone": ""})
    assert response.status_code == 400 and "resident_id" in response.context["form"].errors
    response = client.post(url("me"), {"name": "李明", "resident_id": "", "phone": ""})
    assert response.status_code == 400 and "Give your resident ID number or your phone number." in response.content.decode()


def test_me_edit_without_link_goes_to_link(client, tree):
    client.force_login(tree.worker)
    response = client.get(url("me_edit"))
    assert response.status_code == 302 and response["Location"] == url("me")


def test_worker_sees_own_profile_and_reveals_own_identifiers(client, tree):
    person = make(tree)
    link(tree.worker, "李明", resident_id=ID_A)
    client.force_login(tree.worker)
    assert client.get(url("detail", person.pk)).status_code == 200
    assert ID_A in client.post(url("reveal", person.pk), **HX).content.decode()
    html = client.get(url("detail", person.pk)).content.decode()
    assert "玄武区科学技术协会" in html


@pytest.mark.parametrize(
    "path", ["/people/99999999999999999999/", "/people/0/edit/", "/people/new/?org=99999999999999999999", "/people/1/achievements/99999999999999999999/remove/"]
)
def test_garbage_ids_are_404_not_500(client, tree, path):
    make(tree)
    client.force_login(tree.county_staff)
    response = client.post(path) if "remove" in path else client.get(path)
    assert response.status_code == 404


def test_list_and_detail_queries_do_not_grow_with_rows(client, tree, django_assert_max_num_queries):
    from kejia.people.tests.helpers import resident_id

    for i in range(30):
        person = make(tree, name=f"测试{i}", resident_id=resident_id(f"320102199001{i + 1:02d}00{i % 10}"[:17]), phone="")
        services.add_achievement(person, actor=tree.county_staff, kind="paper", title=f"论文{i}")
    client.force_login(tree.county_staff)
    with django_assert_max_num_queries(12):
        assert client.get(url("list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(url("detail", person.pk)).status_code == 200


def test_create_person_with_a_15_digit_id_converts_it_and_says_so(client, tree):
    client.force_login(tree.county_staff)
    fifteen = ID_B[:6] + ID_B[8:17]
    response = client.post(url("new") + f"?org={tree.xw.pk}", person_data(resident_id=fifteen, disciplines="计算机科学技术 人工智能"), follow=True)
    person = Person.objects.get(name="张伟")
    assert person.id_masked == "*" * 17 + ID_B[-1]
    assert sorted(person.disciplines.values_list("code", flat=True)) == ["520", "52020"]
    shown = [str(m) for m in response.context["messages"]]
    assert any("18" in m and ID_B[:6] in m for m in shown) and fifteen not in response.content.decode()
