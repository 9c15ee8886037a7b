"""The defects a newcomer found walking through the pages (issue 16): each test fails on the page
as it was. Button contrast and phone layout are checked in a browser too
(tests/browser/test_phone_layout.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kejia.home.tests.conftest import make_event

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "kejia" / "static" / "kejia" / "kejia.css"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def nav(page: str) -> str:
    return re.search(r'<nav class="nav".*?</nav>', page, re.S).group(0)


# ---- Buttons on light backgrounds ---------------------------------------------------------------


def rules(selector: str) -> list[str]:
    """The declarations of every rule whose selector list is exactly `selector`."""
    return [m.group(1) for m in re.finditer(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS.read_text())]


def test_quiet_button_is_not_white_outside_the_header():
    """.btn-quiet (Deadlines on /voice/, Undo check-in, Hours, ↑/↓, Cancel) sits on white cards:
    its own rule must not paint white text; white is for the dark header only."""
    base = rules(".btn-quiet")
    assert base and not any(re.search(r"(?<!-)color:\s*(#fff\b|#ffffff\b|white\b)", d) for d in base)
    assert any("#fff" in d for d in rules(".site-header .btn-quiet"))


def test_pages_use_no_button_class_the_stylesheet_lacks():
    """Every btn-* class a template uses is styled in the shared stylesheet (no ad-hoc button)."""
    css = CSS.read_text()
    used = set()
    for template in (Path(settings.BASE_DIR) / "kejia").rglob("*.html"):
        used |= set(re.findall(r"\bbtn-[a-z-]+", template.read_text()))
    assert used and all(f".{name}" in css for name in used), sorted(n for n in used if f".{n}" not in css)


# ---- Favicon ------------------------------------------------------------------------------------


def test_favicon_is_served_and_linked(client, tree):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"
    client.force_login(tree.county_staff)
    page = html(client.get(reverse("home:front")))
    assert 'rel="icon"' in page and 'href="/favicon.ico"' in page


# ---- The menu: collapsible, and only entries with something behind them --------------------------


def test_menu_folds_behind_a_checkbox_toggle(client, tree):
    client.force_login(tree.county_staff)
    page = html(client.get(reverse("home:front")))
    assert 'id="menu-toggle"' in page and 'for="menu-toggle"' in page
    assert ".menu-toggle:checked ~ .nav" in CSS.read_text()


def test_worker_menu_has_no_governance_nor_staff_entries(client, tree):
    client.force_login(tree.worker)
    menu = nav(html(client.get(reverse("home:me"))))
    assert reverse("governance:home") not in menu
    assert reverse("organizations:coverage") not in menu and reverse("organizations:audit") not in menu
    assert reverse("activities:home") in menu  # the worker's own entries stay


def test_coverage_in_the_menu_only_for_a_territory(client, tree):
    client.force_login(tree.society_secretary)
    assert reverse("organizations:coverage") not in nav(html(client.get(reverse("home:front"))))
    client.force_login(tree.county_staff)
    assert reverse("organizations:coverage") in nav(html(client.get(reverse("home:front"))))


# ---- Dashboard: the coverage link, and an organization is not its own subordinate ---------------


def test_society_staff_dashboard_links_no_coverage_page_that_answers_404(client, tree):
    coverage = reverse("organizations:coverage")
    client.force_login(tree.society_secretary)
    page = html(client.get(reverse("home:front")))
    for href in re.findall(r'href="(' + re.escape(coverage) + r'[^"]*)"', page):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href
    assert f"{coverage}?region=" not in page
    # The page itself, reached by its address, says why there is nothing for this role.
    assert "学会没有自己的辖区" in html(client.get(coverage))


def test_county_staff_dashboard_coverage_link_works(client, tree):
    client.force_login(tree.county_staff)
    page = html(client.get(reverse("home:front")))
    link = f"{reverse('organizations:coverage')}?region=320102"
    assert link in page
    assert client.get(link).status_code == 200


def test_province_does_not_count_itself_among_its_subordinates(client, tree):
    client.force_login(tree.province_staff)
    response = client.get(reverse("organizations:detail", args=[tree.js.pk]))
    counts = {kind: n for kind, _label, n in response.context["counts"]}
    assert "provincial_assoc" not in counts
    assert counts["municipal_assoc"] == 2
    home = client.get(reverse("home:front"))
    assert "provincial_assoc" not in {kind for kind, _l, _n in home.context["cards"][0]["counts"]}


def test_an_organization_with_nothing_below_says_so(client, tree):
    client.force_login(tree.county_staff)
    page = html(client.get(reverse("organizations:detail", args=[tree.my.pk])))
    assert "下面没有组织" in page


# ---- Check-in: shown only to who may do it --------------------------------------------------------


def test_leader_sees_no_checkin_button_that_would_answer_403(client, tree):
    event = make_event(tree, tree.xw, "玄武区青年科技沙龙")
    checkin = reverse("activities:checkin", args=[event.pk])
    client.force_login(tree.county_leader)
    assert client.get(checkin).status_code == 403  # the view's own rule
    assert checkin not in html(client.get(reverse("activities:manage")))
    assert checkin not in html(client.get(reverse("activities:event", args=[event.pk])))
    client.force_login(tree.county_staff)
    assert client.get(checkin).status_code == 200
    assert checkin in html(client.get(reverse("activities:manage")))


# ---- The public event page shows no internal state --------------------------------------------------


def test_public_event_page_hides_the_published_state(client, tree):
    event = make_event(tree, tree.xw, "玄武区青年科技沙龙")
    url = reverse("activities:event", args=[event.pk])
    assert "event-status-published" not in html(client.get(url))
    client.force_login(tree.worker)
    assert "event-status-published" not in html(client.get(url))
    client.force_login(tree.county_staff)
    assert "event-status-published" in html(client.get(url))


def test_public_event_page_still_says_cancelled(client, tree):
    from kejia.activities import services

    event = services.cancel_event(make_event(tree, tree.xw, "取消的沙龙"), actor=tree.platform, reason="场地维修")
    assert "event-status-cancelled" in html(client.get(reverse("activities:event", args=[event.pk])))


# ---- Filings: no 待我审核 for whoever cannot decide ---------------------------------------------------


@pytest.mark.parametrize("who, shown", [("worker", False), ("county_leader", False), ("county_staff", True)])
def test_filings_decision_section_only_for_staff(client, tree, who, shown):
    client.force_login(getattr(tree, who))
    page = html(client.get(reverse("organizations:filing_list")))
    assert ("待我审核" in page or "Waiting for my decision" in page) is shown


# ---- Lists say 0 when nothing matches -----------------------------------------------------------------


def test_people_list_says_zero_found(client, tree):
    client.force_login(tree.county_staff)
    page = html(client.get(reverse("people:list"), {"q": "没有这个人"}))
    assert "共找到 0 人" in page


def test_organization_search_says_zero_found(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(reverse("organizations:search"), {"q": "没有这个组织"})
    assert "共找到 0 个组织" in html(response)


# ---- Membership breadcrumb ----------------------------------------------------------------------------


def test_membership_breadcrumb_goes_from_the_society_down(client, tree):
    from kejia.memberships import applications, member_classes
    from kejia.memberships.tests.conftest import make_person

    classes = {c.code: c for c in member_classes.create_default_classes(tree.soc, actor=tree.society_secretary)}
    person = make_person(tree, name="李明", user=tree.worker)
    m = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=classes["full"], person=person)
    client.force_login(tree.society_secretary)
    page = html(client.get(reverse("memberships:detail", args=[m.pk])))
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page, re.S).group(1)
    society, members = reverse("memberships:society", args=[tree.soc.pk]), reverse("memberships:members", args=[tree.soc.pk])
    assert 0 <= crumbs.index(society) < crumbs.index(members)
    assert crumbs.rstrip().endswith('<li aria-current="page">李明</li>')
    client.force_login(tree.worker)
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', html(client.get(reverse("memberships:detail", args=[m.pk]))), re.S).group(1)
    assert reverse("memberships:mine") in crumbs and members not in crumbs


# ---- Phone layout of the long staff pages ----------------------------------------------------------------


def test_membership_figures_table_stacks_with_labels(client, tree):
    from kejia.memberships import member_classes

    member_classes.create_default_classes(tree.soc, actor=tree.society_secretary)
    client.force_login(tree.society_secretary)
    page = html(client.get(reverse("memberships:stats")))
    table = re.search(r"<table[^>]*>.*?</table>", page, re.S).group(0)
    assert 'class="compact stack"' in table
    assert not re.search(r"<td(?![^>]*data-label)[^>]*>", table)  # every cell keeps its label when stacked


def test_coverage_gap_lists_fold_after_the_summary(client, tree):
    client.force_login(tree.province_staff)
    page = html(client.get(reverse("organizations:coverage"), {"region": "320000"}))
    assert '<details class="card fold">' in page
    assert page.index('class="stats"') < page.index('<details class="card fold">')
