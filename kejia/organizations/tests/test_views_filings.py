"""The filing (备案) pages and the audit log through the test client: the whole flow from the
founders' filing to the approved organization, refusals, and the scope of the audit log."""

from django.urls import reverse
from django.utils.translation import gettext, override

from kejia.core.models import AuditEvent
from kejia.organizations import services
from kejia.organizations.models import Filing, FilingStatus, Organization
from kejia.organizations.tests.test_views import filing_data, page, service_filing

# ---- Filing flow -----------------------------------------------------------------------------


def test_filing_flow_county_staff_files_and_nj_staff_approves(client, tree):
    client.force_login(tree.county_staff)
    form = page(client, "organizations:filing_new", parent=str(tree.xw.pk))
    assert form.context["form"].initial == {"parent": "XW", "region": "320102"}
    response = client.post(reverse("organizations:filing_new"), filing_data(tree))
    filing = Filing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("organizations:filing_detail", args=[filing.pk])
    mine = page(client, "organizations:filing_detail", filing.pk)
    assert "139****0077" in mine.content.decode() and "13912340077" not in mine.content.decode()
    assert not mine.context["can_decide"] and mine.context["can_withdraw"]

    client.force_login(tree.nj_staff)
    listing = page(client, "organizations:filing_list")
    assert [f.pk for f in listing.context["to_decide"]] == [filing.pk]
    detail = page(client, "organizations:filing_detail", filing.pk)
    assert detail.context["can_decide"]
    response = client.post(reverse("organizations:filing_approve", args=[filing.pk]), {"code": "XW-ZS"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED
    org = Organization.objects.get(code="XW-ZS")
    assert org.parent == tree.xw and org.kind == "enterprise_assoc" and filing.organization == org
    html = page(client, "organizations:filing_detail", filing.pk).content.decode()
    assert reverse("organizations:detail", args=[org.pk]) in html


def test_filing_return_needs_a_reason_then_the_submitter_resubmits(client, tree):
    filing = services.submit_filing(actor=tree.county_staff, **service_filing(tree))
    client.force_login(tree.nj_staff)
    empty = client.post(reverse("organizations:filing_return", args=[filing.pk]), {"reason": "  "})
    assert empty.status_code == 400 and empty.context["return_form"].errors["reason"]
    response = client.post(reverse("organizations:filing_return", args=[filing.pk]), {"reason": "请补充章程"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED and filing.return_reason == "请补充章程"

    client.force_login(tree.county_staff)
    detail = page(client, "organizations:filing_detail", filing.pk)
    assert "请补充章程" in detail.content.decode() and detail.context["can_resubmit"]
    form = page(client, "organizations:filing_edit", filing.pk).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(charter_summary="章程：联系服务科技工作者。", founded_on="2026-01-05")
    response = client.post(reverse("organizations:filing_edit", args=[filing.pk]), data)  # phone left empty: kept
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED and filing.charter_summary.startswith("章程")
    assert filing.contact_phone_masked == "139****0066"


def test_filing_edit_is_refused_unless_returned(client, tree):
    filing = services.submit_filing(actor=tree.county_staff, **service_filing(tree))
    client.force_login(tree.county_staff)
    page(client, "organizations:filing_edit", filing.pk, expect=409)
    client.force_login(tree.nj_staff)
    page(client, "organizations:filing_edit", filing.pk, expect=404)


def test_filing_new_with_bad_uscc_shows_the_field_error_and_writes_nothing(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("organizations:filing_new"), filing_data(tree, host_uscc="91320102MA1ZSR0000"))
    assert response.status_code == 400
    assert response.context["form"].errors["host_uscc"]
    assert not Filing.objects.exists() and not AuditEvent.objects.filter(action="filing.submitted").exists()


def test_filing_new_with_unknown_guiding_association_or_region_is_a_field_error(client, tree):
    client.force_login(tree.worker)
    response = client.post(reverse("organizations:filing_new"), filing_data(tree, parent="NOPE", region="329999"))
    assert response.status_code == 400
    assert {"parent", "region"} <= set(response.context["form"].errors)
    outside = client.post(reverse("organizations:filing_new"), filing_data(tree, region="320213"))
    assert outside.status_code == 400 and outside.context["form"].errors["region"]
    assert not Filing.objects.exists()


def test_filing_by_a_worker_reaches_the_county(client, tree):
    client.force_login(tree.worker)
    assert client.post(reverse("organizations:filing_new"), filing_data(tree)).status_code == 302
    client.force_login(tree.county_staff)
    assert len(page(client, "organizations:filing_list").context["to_decide"]) == 1


def test_filing_withdraw_by_the_submitter(client, tree):
    filing = services.submit_filing(actor=tree.county_staff, **service_filing(tree))
    client.force_login(tree.nj_staff)
    assert client.post(reverse("organizations:filing_withdraw", args=[filing.pk])).status_code == 403
    client.force_login(tree.county_staff)
    assert client.post(reverse("organizations:filing_withdraw", args=[filing.pk])).status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.WITHDRAWN
    again = client.post(reverse("organizations:filing_withdraw", args=[filing.pk]))
    assert again.status_code == 409


def test_filing_decisions_are_refused_to_the_submitter_and_outside_scope(client, tree):
    filing = services.submit_filing(actor=tree.county_staff, **service_filing(tree))
    client.force_login(tree.county_staff)
    assert client.post(reverse("organizations:filing_approve", args=[filing.pk])).status_code == 403
    client.force_login(tree.sibling_staff)
    page(client, "organizations:filing_detail", filing.pk, expect=404)
    assert client.post(reverse("organizations:filing_approve", args=[filing.pk])).status_code == 404
    assert client.get(reverse("organizations:filing_approve", args=[filing.pk])).status_code == 405
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


# ---- Audit -----------------------------------------------------------------------------------


def test_audit_shows_only_events_in_my_scope(client, tree):
    services.change_organization_status(tree.qh, actor=tree.platform, status="dormant")
    services.change_organization_status(tree.my, actor=tree.platform, status="dormant")
    client.force_login(tree.county_staff)
    response = page(client, "organizations:audit")
    events = [event for event, _label, _changes in response.context["page"].rows]
    assert events and all(e.org_path.startswith(tree.xw.path) for e in events)
    html = response.content.decode()
    assert "秦淮区科学技术协会" not in html
    with override("zh-hans"):
        assert "梅园新村街道科学技术协会" in html and "休眠" in html and gettext("Status changed") in html


def test_audit_filters_by_action_and_organization(client, tree):
    services.change_organization_status(tree.my, actor=tree.platform, status="dormant")
    client.force_login(tree.nj_staff)
    by_action = page(client, "organizations:audit", action="organization.status_changed")
    assert [e.action for e, _l, _c in by_action.context["page"].rows] == ["organization.status_changed"]
    by_prefix = page(client, "organizations:audit", action="organization")
    assert {e.action for e, _l, _c in by_prefix.context["page"].rows} == {"organization.created", "organization.status_changed"}
    by_org = page(client, "organizations:audit", organization=str(tree.qh.pk))
    rows = by_org.context["page"].rows
    assert rows and all(e.org_path.startswith(tree.qh.path) for e, _l, _c in rows)
    page(client, "organizations:audit", organization=str(tree.lx.pk), expect=404)
