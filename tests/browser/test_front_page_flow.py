"""A newcomer's first minutes, on a desktop and on a 390 px phone: the public front page shows
the coming public events; they pick their county in the cascade (province → city → county), find
the association and open its page. Then a county's staff member searches experts with the
pickers — discipline by name, organization of their scope — and sees why each result matched."""

import pytest
from django.db import transaction

from kejia.home.tests.conftest import make_event
from tests.browser.pickers import choose_by_search, htmx_ready, pick_division

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def search_index(settings, tmp_path):
    from kejia.search.indexing import reset_backend

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    reset_backend()
    yield
    reset_backend()


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("window", ["page", "phone_page"])
def test_front_page_to_an_association_through_the_cascade(tree, live_server, request, window):
    page, base = request.getfixturevalue(window), live_server.url
    make_event(tree, tree.xw, "玄武区青年科技沙龙")

    page.goto(f"{base}/")
    page.locator("#events", has_text="玄武区青年科技沙龙").wait_for()
    assert page.locator("#verify input[name=t]").count() == 1
    assert page.locator("a[href$='/accounts/login/']").count() >= 1
    no_horizontal_scroll(page)

    pick_division(page, ["320000", "320100", "320102"], within="#find")
    assert "江苏省南京市玄武区" in page.locator("#find [data-region-label]").inner_text()
    no_horizontal_scroll(page)
    page.locator("#find button[type=submit]").click()
    page.wait_for_url("**/find/?*")
    link = page.locator("#results #chain a", has_text="玄武区科学技术协会").first
    link.click()
    page.wait_for_url(f"**/a/{tree.xw.pk}/")
    assert "玄武区科学技术协会" in page.locator("h1").inner_text()


@pytest.mark.parametrize("window", ["page", "phone_page"])
def test_expert_search_with_the_pickers(tree, live_server, request, window, search_index):
    from kejia.people import services
    from kejia.search.indexing import index_people

    page, base = request.getfixturevalue(window), live_server.url
    with transaction.atomic():
        wang = services.create_person(
            actor=tree.county_staff,
            organization=tree.my,
            name="王机学",
            expertise="机器学习、医疗影像",
            sector="university",
            title_level="senior",
            disciplines=["52040"],
            region=tree.regions["320102"],
        )
        li = services.create_person(
            actor=tree.county_staff,
            organization=tree.xw,
            name="李机学",
            expertise="机器学习",
            sector="university",
            title_level="senior",
            disciplines=["210"],
            region=tree.regions["320102"],
        )
    index_people([wang.pk, li.pk])

    log_in(page, base, "xw_staff", tree.password)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/people/experts/")
    assert page.locator("input[name=page]").count() == 0
    page.locator("details.expert-filters summary").click()
    pick_division(page, ["320000", "320100", "320102"], within="form.expert-form")
    choose_by_search(page, "discipline", "计算机软件", "52040", within="form.expert-form")
    choose_by_search(page, "organization", "梅园", "XW-MY", within="form.expert-form")
    page.fill("input[name=q]", "机器学习")
    page.locator("form.expert-form .expert-q button[type=submit]").click()
    results = page.locator("#expert-results")
    results.locator("a.name", has_text="王机学").wait_for()
    assert results.locator("a.name", has_text="李机学").count() == 0
    why = results.locator(".why").first.inner_text()
    assert "机器学习" in why and "专长" in why
    assert results.locator(".why mark", has_text="机器").all_inner_texts() == ["机器学习"]
    htmx_ready(page, page.locator("form.expert-form"))
    no_horizontal_scroll(page)
