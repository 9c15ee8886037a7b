"""The organization pages through the test client: scope, forms, errors, htmx partials."""

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from kejia.accounts.models import Role
from kejia.core.models import AuditEvent
from kejia.core.testing import worlds
from kejia.core.validators import uscc_check_char
from kejia.organizations import services
from kejia.organizations.models import Organization
from kejia.reference.models import Region

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()

HX = {"HTTP_HX_REQUEST": "true"}


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def page(client, name, *args, expect=200, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == expect, response.content.decode()[:2000]
    return response


def filing_data(tree, **over):
    data = {
        "name": "钟山软件有限公司科学技术协会",
        "kind": "enterprise_assoc",
        "parent": "XW",
        "region": "320102",
        "host_name": "钟山软件有限公司",
        "host_uscc": uscc("91320102MA1WRT001"),
        "founded_on": "2026-03-01",
        "member_count": "42",
        "chair_name": "王主席",
        "contact_name": "李联络",
        "contact_phone": "13912340077",
        "charter_summary": "联系服务本企业科技工作者。",
    }
    data.update(over)
    return data


def service_filing(tree):
    return {
        "name": "红山科技有限公司科学技术协会",
        "kind": "enterprise_assoc",
        "parent": tree.xw,
        "region": tree.regions["320102"],
        "host_name": "红山科技有限公司",
        "host_uscc": uscc("91320102MA1HKJ001"),
        "founded_on": datetime.date(2026, 1, 5),
        "member_count": 12,
        "chair_name": "赵主席",
        "contact_name": "钱联络",
        "contact_phone": "13912340066",
    }


# ---- Dashboard -------------------------------------------------------------------------------


def test_home_shows_anonymous_the_public_front_page_and_the_tree_asks_to_log_in(client, db):
    response = client.get(reverse("home:front"))  # "/": the public front page (kejia/home)
    assert response.status_code == 200 and "home/front.html" in [t.name for t in response.templates]
    response = client.get(reverse("organizations:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_renders_roles_counts_and_pending_filings(client, tree):
    services.submit_filing(actor=tree.county_staff, **service_filing(tree))
    client.force_login(tree.nj_staff)
    response = page(client, "home:front")
    html = response.content.decode()
    assert "南京市科学技术协会" in html
    assert response.context["pending"] == 1
    counts = {kind: n for kind, _label, n in response.context["cards"][0]["counts"]}
    # The organizations below 南京: the city association itself is not its own subordinate.
    assert counts == {"county_assoc": 2, "township_assoc": 1, "enterprise_assoc": 1}


def test_home_sends_a_user_without_role_to_their_online_home(client, tree):
    client.force_login(tree.worker)
    response = client.get(reverse("home:front"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home:me")
    assert reverse("organizations:filing_new") in response.content.decode()


# ---- Tree ------------------------------------------------------------------------------------


def test_tree_renders_the_roots_of_my_scope(client, tree):
    client.force_login(tree.county_staff)
    html = page(client, "organizations:tree").content.decode()
    assert "玄武区科学技术协会" in html
    assert reverse("organizations:children", args=[tree.xw.pk]) in html
    assert "秦淮区科学技术协会" not in html and "南京市科学技术协会" not in html


def add_enterprises(tree, n, parent=None):
    for i in range(n):
        services.create_organization(
            actor=tree.platform, parent=parent or tree.xw, name=f"测试企业{i:02d}科协", code=f"T{i:02d}", kind="enterprise_assoc", region=tree.regions["320102"]
        )


def test_tree_query_count_is_pinned(client, tree, django_assert_max_num_queries):
    add_enterprises(tree, 5, parent=tree.nj)
    client.force_login(tree.nj_staff)
    # session, user, roles, roots with their child counts, the bell's unread count: no query per node
    with django_assert_max_num_queries(5):
        page(client, "organizations:tree")


def test_children_partial_lists_the_children(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(reverse("organizations:children", args=[tree.xw.pk]), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "梅园新村街道科学技术协会" in html and "紫金科技有限公司科学技术协会" in html
    assert "<html" not in html


def test_children_outside_scope_is_404_fragment(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(reverse("organizations:children", args=[tree.qh.pk]), **HX)
    assert response.status_code == 404
    assert "<html" not in response.content.decode()


def test_children_query_count_is_pinned(client, tree, django_assert_max_num_queries):
    add_enterprises(tree, 5, parent=tree.js)
    client.force_login(tree.province_staff)
    with django_assert_max_num_queries(5):
        client.get(reverse("organizations:children", args=[tree.js.pk]), **HX)


# ---- Search ----------------------------------------------------------------------------------


def test_search_finds_by_text_within_scope(client, tree):
    client.force_login(tree.nj_staff)
    response = page(client, "organizations:search", q="区科学技术协会")
    names = [o.name for o in response.context["page"]]
    assert "玄武区科学技术协会" in names and "秦淮区科学技术协会" in names
    assert "梁溪区科学技术协会" not in names  # Wuxi lies outside Nanjing


def test_search_filters_by_kind_status_and_region(client, tree):
    client.force_login(tree.province_staff)
    response = page(client, "organizations:search", kind="county_assoc", status="active", region="320100")
    assert {o.code for o in response.context["page"]} == {"XW", "QH"}


def test_search_htmx_returns_the_results_partial(client, tree):
    client.force_login(tree.nj_staff)
    response = client.get(reverse("organizations:search"), {"q": "玄武"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "玄武区科学技术协会" in html and "<html" not in html


def test_search_paginates_by_fifty(client, tree):
    add_enterprises(tree, 55)
    client.force_login(tree.county_staff)
    first = page(client, "organizations:search", kind="enterprise_assoc")
    assert first.context["page"].paginator.count == 56
    assert len(first.context["page"].object_list) == 50
    assert "?kind=enterprise_assoc&amp;page=2" in first.content.decode()
    second = page(client, "organizations:search", kind="enterprise_assoc", page="2")
    assert len(second.context["page"].object_list) == 6


def test_search_unknown_region_code_is_a_field_error(client, tree):
    client.force_login(tree.nj_staff)
    response = page(client, "organizations:search", region="329999", expect=400)
    assert "329999" in response.content.decode()
    assert response.context["form"].errors["region"]


def test_search_within_limits_to_a_subtree(client, tree):
    client.force_login(tree.nj_staff)
    response = page(client, "organizations:search", within=str(tree.xw.pk))
    assert {o.code for o in response.context["page"]} == {"XW", "XW-MY", "XW-ENT"}
    page(client, "organizations:search", within=str(tree.lx.pk), expect=404)


# ---- Detail ----------------------------------------------------------------------------------


def test_detail_shows_fields_breadcrumb_children_counts_and_events(client, tree):
    client.force_login(tree.nj_staff)
    response = page(client, "organizations:detail", tree.xw.pk)
    html = response.content.decode()
    assert [a.code for a in response.context["breadcrumb"]] == ["NJ"]  # JS lies above the role: not shown
    assert {c.code for c in response.context["children"]} == {"XW-MY", "XW-ENT"}
    # Below 玄武 (not 玄武 itself: an organization is not its own subordinate).
    assert dict((k, n) for k, _l, n in response.context["counts"]) == {"township_assoc": 1, "enterprise_assoc": 1}
    assert "新建组织" in html and "organization.created" not in html  # the action in words (kejia.core.audit_labels)
    assert reverse("organizations:edit", args=[tree.xw.pk]) in html
    assert reverse("organizations:roles", args=[tree.xw.pk]) in html


def test_detail_offers_filing_only_under_an_active_territorial_association(client, tree):
    client.force_login(tree.county_staff)
    filing_url = reverse("organizations:filing_new") + f"?parent={tree.xw.pk}"
    assert filing_url in page(client, "organizations:detail", tree.xw.pk).content.decode()
    assert "?parent=" not in page(client, "organizations:detail", tree.ent.pk).content.decode()


def test_detail_flags_an_overdue_term(client, tree):
    services.update_organization(tree.xw, actor=tree.platform, term_start=datetime.date(2019, 1, 1), term_end=datetime.date(2024, 1, 1))
    client.force_login(tree.county_staff)
    with override("zh-hans"):
        assert gettext("renewal overdue") in page(client, "organizations:detail", tree.xw.pk).content.decode()


def test_detail_shows_no_management_buttons_to_a_leader(client, tree):
    client.force_login(tree.county_leader)
    html = page(client, "organizations:detail", tree.xw.pk).content.decode()
    assert reverse("organizations:edit", args=[tree.xw.pk]) not in html
    assert "organization.created" not in html


def test_detail_outside_scope_is_404(client, tree):
    client.force_login(tree.county_staff)
    page(client, "organizations:detail", tree.qh.pk, expect=404)
    page(client, "organizations:detail", tree.nj.pk, expect=404)


def test_detail_query_count_is_pinned(client, tree, django_assert_max_num_queries):
    add_enterprises(tree, 8, parent=tree.nj)
    services.change_organization_status(tree.nj, actor=tree.platform, status="dormant")
    client.force_login(tree.nj_staff)
    # session, user, roles, the organization, breadcrumb, children, subtree counts, disciplines, events,
    # the bell's unread count
    with django_assert_max_num_queries(10):
        response = page(client, "organizations:detail", tree.nj.pk)
    assert len(response.context["children"]) == 10


# ---- Create and edit -------------------------------------------------------------------------


def org_form(**over):
    data = {
        "name": "玄武区老科技工作者协会",
        "short_name": "",
        "code": "XW-LKJ",
        "kind": "society_branch",
        "region": "320102",
        "founded_on": "2020-05-04",
        "term_start": "",
        "term_end": "",
        "fulltime_staff": "2",
        "party_coverage": "none",
        "uscc": "",
        "address": "",
        "website": "",
        "description": "",
        "disciplines": "",
    }
    data.update(over)
    return data


def test_create_adds_a_child_and_redirects(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("organizations:create", args=[tree.xw.pk]), org_form(disciplines="520 413"))
    org = Organization.objects.get(code="XW-LKJ")
    assert response.status_code == 302 and response["Location"] == reverse("organizations:detail", args=[org.pk])
    assert org.parent == tree.xw and org.founded_on == datetime.date(2020, 5, 4)
    assert sorted(org.disciplines.values_list("code", flat=True)) == ["413", "520"]


def test_create_with_bad_uscc_shows_the_field_error_and_writes_nothing(client, tree):
    client.force_login(tree.county_staff)
    before = Organization.objects.count(), AuditEvent.objects.count()
    response = client.post(reverse("organizations:create", args=[tree.xw.pk]), org_form(is_legal_person="on", uscc="91320102MA1XYW0010"))
    assert response.status_code == 400
    assert response.context["form"].errors["uscc"]
    assert "GB 32100" in response.content.decode()
    assert (Organization.objects.count(), AuditEvent.objects.count()) == before


def test_create_with_territorial_kind_on_wrong_level_is_a_region_error(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("organizations:create", args=[tree.xw.pk]), org_form(kind="township_assoc", region="320102"))
    assert response.status_code == 400
    assert response.context["form"].errors["region"]


def test_create_with_unknown_region_or_discipline_is_a_field_error(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("organizations:create", args=[tree.xw.pk]), org_form(region="329999", disciplines="999"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"region", "disciplines"}
    assert not Organization.objects.filter(code="XW-LKJ").exists()


def test_create_is_refused_to_a_leader_and_outside_scope(client, tree):
    client.force_login(tree.county_leader)
    assert client.post(reverse("organizations:create", args=[tree.xw.pk]), org_form()).status_code == 403
    client.force_login(tree.county_staff)
    assert client.post(reverse("organizations:create", args=[tree.qh.pk]), org_form()).status_code == 404
    assert not Organization.objects.filter(code="XW-LKJ").exists()


def test_edit_saves_changes_and_records_them(client, tree):
    client.force_login(tree.county_staff)
    form = page(client, "organizations:edit", tree.xw.pk).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(fulltime_staff="7", address="南京市玄武区北京东路")
    data.pop("is_legal_person")
    response = client.post(reverse("organizations:edit", args=[tree.xw.pk]), data)
    assert response.status_code == 302
    tree.xw.refresh_from_db()
    assert tree.xw.fulltime_staff == 7 and tree.xw.address == "南京市玄武区北京东路"
    event = AuditEvent.objects.filter(action="organization.updated", object_id=str(tree.xw.pk)).get()
    assert event.new == {"fulltime_staff": 7, "address": "南京市玄武区北京东路"}


def test_edit_with_bad_uscc_shows_the_field_error_and_writes_nothing(client, tree):
    client.force_login(tree.society_secretary)
    data = org_form(name=tree.soc.name, code="SOC", kind="provincial_society", region="320000", is_legal_person="on", uscc="51320000MJ501234")
    response = client.post(reverse("organizations:edit", args=[tree.soc.pk]), data)
    assert response.status_code == 400
    assert "18" in str(response.context["form"].errors["uscc"])
    tree.soc.refresh_from_db()
    assert tree.soc.uscc == "51320000MJ5012345H"
    assert not AuditEvent.objects.filter(action="organization.updated").exists()


# ---- Status and move -------------------------------------------------------------------------


def test_status_form_renders_and_changes_status(client, tree):
    client.force_login(tree.county_staff)
    page(client, "organizations:status", tree.my.pk)
    response = client.post(reverse("organizations:status", args=[tree.my.pk]), {"status": "dormant", "reason": "换届延期"})
    assert response.status_code == 302
    tree.my.refresh_from_db()
    assert tree.my.status == "dormant"


def test_status_illegal_transition_shows_the_message(client, tree):
    client.force_login(tree.county_staff)
    client.post(reverse("organizations:status", args=[tree.my.pk]), {"status": "dissolved"})
    response = client.post(reverse("organizations:status", args=[tree.my.pk]), {"status": "active"})
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    tree.my.refresh_from_db()
    assert tree.my.status == "dissolved"


def test_status_dissolving_a_parent_with_children_is_refused(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("organizations:status", args=[tree.xw.pk]), {"status": "dissolved"})
    assert response.status_code == 409  # has_children: a refusal of state
    assert response.context["form"].errors["status"]


def test_status_unknown_value_is_400(client, tree):
    client.force_login(tree.county_staff)
    assert client.post(reverse("organizations:status", args=[tree.my.pk]), {"status": "bogus"}).status_code == 400


def test_move_places_the_subtree_under_the_new_parent(client, tree):
    client.force_login(tree.nj_staff)
    page(client, "organizations:move", tree.ent.pk)
    response = client.post(reverse("organizations:move", args=[tree.ent.pk]), {"parent": "NJ"})
    assert response.status_code == 302
    tree.ent.refresh_from_db()
    assert tree.ent.parent_id == tree.nj.pk and tree.ent.path.startswith(tree.nj.path)


def test_move_outside_the_new_parents_region_is_a_field_error(client, tree):
    client.force_login(tree.nj_staff)
    response = client.post(reverse("organizations:move", args=[tree.ent.pk]), {"parent": "QH"})
    assert response.status_code == 400
    tree.ent.refresh_from_db()
    assert tree.ent.parent_id == tree.xw.pk


def test_move_to_an_unknown_or_own_branch_is_a_field_error(client, tree):
    client.force_login(tree.nj_staff)
    unknown = client.post(reverse("organizations:move", args=[tree.xw.pk]), {"parent": "LX"})  # Wuxi: outside scope
    assert unknown.status_code == 400 and unknown.context["form"].errors["parent"]
    cycle = client.post(reverse("organizations:move", args=[tree.xw.pk]), {"parent": "XW-MY"})
    assert cycle.status_code == 400 and cycle.context["form"].errors["parent"]
    tree.xw.refresh_from_db()
    assert tree.xw.parent_id == tree.nj.pk


# ---- Roles -----------------------------------------------------------------------------------


def test_roles_lists_and_grants_by_an_administrator(client, tree):
    client.force_login(tree.nj_admin)
    listing = page(client, "organizations:roles", tree.xw.pk)
    assert {r.user.username for r in listing.context["roles"]} == {"xw_staff", "xw_leader"}
    response = client.post(reverse("organizations:roles", args=[tree.xw.pk]), {"username": "worker", "kind": "staff", "title": "干事"})
    assert response.status_code == 302
    assert Role.objects.filter(user=tree.worker, organization=tree.xw, kind="staff", title="干事").exists()


def test_roles_revoke_by_an_administrator(client, tree):
    client.force_login(tree.nj_admin)
    role = Role.objects.get(user=tree.county_leader, organization=tree.xw)
    response = client.post(reverse("organizations:roles", args=[tree.xw.pk]), {"revoke": str(role.pk)})
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    # a role of another organization cannot be revoked through this page
    other = Role.objects.get(user=tree.sibling_staff)
    assert client.post(reverse("organizations:roles", args=[tree.xw.pk]), {"revoke": str(other.pk)}).status_code == 404


def test_roles_are_refused_to_staff(client, tree):
    client.force_login(tree.nj_staff)
    html = page(client, "organizations:roles", tree.xw.pk).content.decode()
    assert 'name="username"' not in html
    response = client.post(reverse("organizations:roles", args=[tree.xw.pk]), {"username": "worker", "kind": "admin"})
    assert response.status_code == 403
    assert not Role.objects.filter(user=tree.worker).exists()


def test_roles_grant_to_an_unknown_user_is_a_field_error(client, tree):
    client.force_login(tree.nj_admin)
    response = client.post(reverse("organizations:roles", args=[tree.xw.pk]), {"username": "nobody", "kind": "staff"})
    assert response.status_code == 400
    assert response.context["form"].errors["username"]


# ---- Coverage --------------------------------------------------------------------------------


def test_coverage_counts_blind_spots_of_my_region(client, tree):
    client.force_login(tree.nj_staff)
    response = page(client, "organizations:coverage")  # defaults to the region of my role
    summary = response.context["summary"]
    assert summary["region"].code == "320100"
    counties = Region.objects.filter(parent_id="320100", level=3).count()
    townships = Region.objects.filter(path__startswith=tree.regions["320100"].path, level=4).count()
    levels = {row["key"]: row for row in summary["levels"]}
    assert (levels["counties"]["total"], levels["counties"]["gap_count"], levels["counties"]["covered"]) == (counties, counties - 2, 2)
    assert levels["counties"]["share"] == round(200 / counties, 1)
    assert (levels["townships"]["total"], levels["townships"]["gap_count"]) == (townships, townships - 1)
    enterprises = next(row for row in summary["institutions"] if row["kind"] == "enterprise")
    assert (enterprises["total"], enterprises["gap_count"], enterprises["share"]) == (1, 0, 100.0)
    assert f"{counties - 2}" in response.content.decode()


def test_coverage_shows_an_uncovered_enterprise(client, tree):
    from kejia.organizations.models import Institution

    Institution.objects.create(name="栖霞大型制造有限公司", kind="enterprise", region=tree.regions["320102"], is_large=True)
    client.force_login(tree.county_staff)
    response = page(client, "organizations:coverage", region="320102")
    assert "栖霞大型制造有限公司" in response.content.decode()


def test_coverage_outside_my_region_is_404_and_unknown_code_is_400(client, tree):
    client.force_login(tree.county_staff)
    page(client, "organizations:coverage", region="320200", expect=404)
    response = page(client, "organizations:coverage", region="12ab", expect=400)
    assert response.context["form"].errors["region"]


# ---- Garbage input, languages ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/orgs/search/?within=abc",
        "/orgs/search/?region=99999999999999999",
        "/orgs/search/?q=" + "x" * 5000,
        "/orgs/search/?kind=bogus",
        "/orgs/search/?page=abc",
        "/orgs/search/?page=-7",
        "/audit/?organization=abc",
        "/audit/?action=" + "a" * 500,
        "/audit/?page=999",
        "/coverage/?region=abc",
        "/coverage/?region=" + "1" * 300,
        "/filings/new/?parent=abc",
        "/filings/new/?parent=99999999",
        "/orgs/99999999/",
        "/filings/99999999/",
        "/orgs/99999999999999999999999/",
        "/regions/picker/?region_1=abc&field=%3Cscript%3E",
        "/regions/picker/?region_q=" + "江" * 500,
    ],
)
def test_garbage_input_gives_4xx_not_500(client, tree, url):
    client.force_login(tree.nj_staff)
    response = client.get(url)
    assert response.status_code < 500
    assert "<script>" not in response.content.decode()


def test_unknown_address_renders_the_error_page(client, tree):
    client.force_login(tree.county_staff)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in response.content.decode()


def test_overlong_and_garbage_form_input_is_400(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(
        reverse("organizations:create", args=[tree.xw.pk]), org_form(name="长" * 500, founded_on="2020-13-45", fulltime_staff="many", kind="bogus")
    )
    assert response.status_code == 400
    assert {"name", "founded_on", "fulltime_staff", "kind"} <= set(response.context["form"].errors)
    filing = client.post(reverse("organizations:filing_new"), filing_data(tree, member_count="-3", founded_on="yesterday"))
    assert filing.status_code == 400


def test_language_is_chinese_by_default_and_switches_to_english(client, tree):
    client.force_login(tree.county_staff)
    html = page(client, "home:front").content.decode()
    assert '<html lang="zh-hans">' in html
    assert reverse("set_language") in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("organizations:tree")})
    assert response.status_code == 302 and response["Location"] == reverse("organizations:tree")
    assert '<html lang="en">' in page(client, "organizations:tree").content.decode()


def test_pages_load_htmx_from_django_htmx_and_send_csrf(client, tree):
    client.force_login(tree.county_staff)
    html = page(client, "organizations:tree").content.decode()
    assert "django_htmx/htmx-2.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


# ---- Division picker -------------------------------------------------------------------------


def test_region_picker_cascade_opens_the_next_level(client, reference):
    response = client.get(reverse("reference:picker"), {"field": "region", "region_1": "320000", "region_2": "320100"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="region_3"' in html and 'value="320102"' in html  # the counties of Nanjing to choose from
    assert '<option value="320100" selected>' in html and "江苏省南京市" in html
    assert 'name="region_4"' not in html


def test_region_picker_drops_a_city_left_from_another_province(client, reference):
    html = client.get(reverse("reference:picker"), {"region_1": "320000", "region_2": "330100"}).content.decode()
    assert '<option value="330100" selected>' not in html and 'name="region_2"' in html


def test_region_picker_search_lists_matches_and_a_pick_resolves(client, reference):
    matches = client.get(reverse("reference:picker"), {"field": "host_region", "host_region_q": "玄武", "part": "matches"}).content.decode()
    assert 'name="host_region_pick"' in matches and 'value="320102"' in matches
    picked = client.get(reverse("reference:picker"), {"field": "host_region", "host_region_q": "玄武", "host_region_pick": "320102"}).content.decode()
    assert '<option value="320102" selected>' in picked and 'name="host_region_4"' in picked


def test_region_picker_field_name_is_sanitized(client, reference):
    html = client.get(reverse("reference:picker"), {"field": '"><img src=x onerror=alert(1)>'}).content.decode()
    assert "onerror" not in html and 'name="region_1"' in html


def test_region_picker_widget_shows_the_current_division(client, tree):
    client.force_login(tree.county_staff)
    html = page(client, "organizations:edit", tree.xw.pk).content.decode()
    assert '<option value="320102" selected>' in html and '<option value="320100" selected>' in html
    assert "江苏省南京市玄武区" in html
    assert 'name="region"' not in html  # no raw code box
