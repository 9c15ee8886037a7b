"""On a phone (390 px), for every kind of demo login (platform administrator, provincial staff,
county staff, county leader, a society's staff, a S&T worker): every page of that user's menu and
the long staff pages fit the width (no sideways scrolling of the page, no table squeezed until
its words wrap character by character), and every visible button
is readable — its text colour differs from the colour behind it, with a contrast of 3:1 at least
(white text on a white card was the defect). The menu folds behind its button and opens on a tap."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from kejia.home.tests.conftest import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["platform", "province_staff", "county_staff", "county_leader", "society_secretary", "worker"]

# Measured in the page: sideways overflow, and buttons whose text does not stand out from what is behind them.
CHECK = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const behind = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const bad = [];
  for (const el of document.querySelectorAll('.btn, button, summary.btn')) {
    const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === 'hidden' || !el.textContent.trim()) continue;
    const fg = parse(s.color), bg = behind(el);
    const l1 = lum(fg), l2 = lum(bg), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (s.color === `rgb(${bg.r}, ${bg.g}, ${bg.b})` || ratio < 3) bad.push(`${el.textContent.trim()} (${s.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
  }
  // Table cells squeezed until their words wrap character by character (a name one character wide).
  const squeezed = [];
  for (const el of document.querySelectorAll('main td, main th')) {
    const r = el.getBoundingClientRect(), text = el.textContent.trim();
    const head = el.closest('thead');  // the headings of a stacked table are hidden (each cell says its label)
    if (head && head.getBoundingClientRect().width <= 2) continue;
    if (r.width && text.length >= 4 && r.width < 3.5 * parseFloat(getComputedStyle(el).fontSize)) squeezed.push(text.slice(0, 20));
  }
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, bad: bad, squeezed: squeezed};
}"""


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


@pytest.fixture
def data(tree):
    """Something on the pages that list things: an event, the society's classes and a member."""
    from kejia.memberships import applications, member_classes
    from kejia.memberships.tests.conftest import make_person

    event = make_event(tree, tree.xw, "玄武区青年科技沙龙：人工智能与基层治理的实践探索")
    classes = {c.code: c for c in member_classes.create_default_classes(tree.soc, actor=tree.society_secretary)}
    person = make_person(tree, name="李明", user=tree.worker)
    membership = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=classes["full"], person=person)
    # The pages with the quiet buttons found invisible: a team's 时长, the survey builder's ↑/↓ and 取消.
    from kejia.surveys.tests.conftest import build_survey
    from kejia.volunteering import services as volunteering
    from kejia.volunteering.tests.conftest import make_person as volunteer

    team = volunteering.create_team(tree.xw, actor=tree.county_staff, name="玄武区科普志愿服务队", code="XW-ZYD")
    volunteering.add_member(team, actor=tree.platform, person=volunteer(tree, tree.xw, "王志愿"), joined_on=datetime.date(2025, 1, 1))
    survey = build_survey(tree, publish=False)
    return {"event": event, "membership": membership, "team": team, "survey": survey}


def extra_pages(tree, role, data) -> list[str]:
    """The pages the newcomer found too long or too wide, for the roles that reach them."""
    coverage, stats = reverse("organizations:coverage"), reverse("memberships:stats")
    pages = [reverse("activities:event", args=[data["event"].pk])]
    if role in ("platform", "province_staff"):
        pages += [f"{coverage}?region=320000", stats, reverse("governance:compliance", args=[tree.js.pk])]
    if role == "county_staff":
        pages += [
            f"{coverage}?region=320102",
            reverse("governance:compliance", args=[tree.xw.pk]),
            reverse("people:list") + "?q=没有这个人",
            reverse("volunteering:team", args=[data["team"].pk]),
            reverse("surveys:builder", args=[data["survey"].pk]),
            reverse("surveys:question_edit", args=[data["survey"].questions.first().pk]),
        ]
    if role == "society_secretary":
        pages += [stats, reverse("memberships:detail", args=[data["membership"].pk])]
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_pages_fit_a_phone_and_buttons_are_readable(tree, data, live_server, chromium, role):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(context, live_server, getattr(tree, role))
        base = live_server.url
        page.goto(f"{base}/")

        # The menu is folded: the header takes a small part of the first screen, and opens on a tap.
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 844 / 6, header
        assert not page.locator("#main-nav").is_visible()
        page.locator("label[for=menu-toggle]").click()
        assert page.locator("#main-nav").is_visible()
        menu = [a.get_attribute("href") for a in page.locator("#main-nav a").all()]
        assert menu

        problems = []
        for path in dict.fromkeys(menu + extra_pages(tree, role, data)):
            response = page.goto(f"{base}{path}")
            assert response.status < 400, (path, response.status)  # the menu leads nowhere forbidden
            result = page.evaluate(CHECK)
            if result["scroll"] > result["inner"]:
                problems.append(f"{path}: {result['scroll']} px wide in {result['inner']} px")
            problems += [f"{path}: unreadable button {b}" for b in result["bad"]]
            problems += [f"{path}: cell squeezed to a column of characters: {t}" for t in result["squeezed"]]
        assert not problems, "\n".join(problems)
    finally:
        context.close()
