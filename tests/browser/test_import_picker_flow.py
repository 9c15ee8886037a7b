"""Desktop and 390 px: a county's staff member opens the import page, types part of an
organization's name, picks it from the list that follows the typing (htmx, in their scope only),
uploads a spreadsheet with a bad row in "all or nothing" mode, then imports the good rows from
the report page without uploading again. The file is a real xlsx built with openpyxl."""

import pytest

from kejia.imports.models import ImportBatch
from kejia.imports.tests.sheets import row, xlsx
from kejia.people.models import Person
from tests.browser.pickers import htmx_ready
from tests.browser.test_worker_home_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_pick_the_organization_by_typing_then_import_the_good_rows(tree, live_server, page, phone_page, tmp_path, size):
    page = page if size == "desktop" else phone_page
    base = live_server.url
    sheet = tmp_path / "名单.xlsx"
    sheet.write_bytes(xlsx([row(1), row(2, 手机号="123"), row(3)]))

    log_in(page, base, "xw_staff", tree.password)
    page.wait_for_load_state()
    page.goto(f"{base}/imports/new/")
    search = page.locator("#org-search")
    htmx_ready(page, search)
    search.fill("梅园")
    page.locator("#org-matches input[name=organization]").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('#org-matches input[name=organization]').length === 1")
    assert "梅园新村街道科学技术协会" in page.locator("#org-matches").inner_text()
    search.fill("秦淮")  # a sibling county: outside the scope
    page.locator("#org-matches", has_text="没有您可导入的匹配组织").wait_for()
    search.fill("玄武")
    page.wait_for_function("() => [...document.querySelectorAll('#org-matches label')].some(l => l.textContent.includes('玄武区'))")
    page.locator("#org-matches label", has_text="玄武区科学技术协会").locator("input").check()
    page.set_input_files("input[name=file]", str(sheet))
    page.locator("form.card button[type=submit]").click()
    page.locator("#batch-progress", has_text="立即导入").wait_for()
    assert Person.objects.count() == 0

    first_path = page.evaluate("() => location.pathname")
    page.locator("#batch-progress form button[type=submit]").click()
    page.wait_for_function("path => location.pathname !== path", arg=first_path)
    page.locator("#batch-progress", has_text="整体未导入").wait_for()  # the link back to the refused import
    assert Person.objects.count() == 2
    first, second = ImportBatch.objects.order_by("pk")
    assert second.retry_of_id == first.pk and second.organization == tree.xw and page.url.endswith(f"/imports/{second.pk}/")
