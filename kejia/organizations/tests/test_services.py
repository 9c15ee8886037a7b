import datetime

import pytest

from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent
from kejia.organizations import selectors, services
from kejia.organizations.kinds import OrgStatus
from kejia.organizations.models import Filing, FilingStatus, Organization
from kejia.reference.models import Region


def filing_data(tree, **over):
    data = dict(
        name="钟山智能科技有限公司科学技术协会",
        kind="enterprise_assoc",
        parent=tree.xw,
        region=tree.regions["320102"],
        host_name="钟山智能科技有限公司",
        host_uscc="91350100M000100Y43",
        founded_on=datetime.date(2026, 3, 1),
        member_count=42,
        chair_name="王建国",
        contact_name="陈静",
        contact_phone="13800001111",
        charter_summary="团结企业科技人员，开展技术攻关与科普。",
    )
    data.update(over)
    return data


def test_create_organization_sets_path_depth_and_audit(tree):
    org = services.create_organization(
        actor=tree.county_staff, parent=tree.xw, name="玄武区电子学会", code="XW-E", kind="municipal_society", region=tree.regions["320102"]
    )
    assert org.path == tree.xw.path + org.path[-6:] and org.depth == tree.xw.depth + 1
    event = AuditEvent.objects.get(action="organization.created", object_id=str(org.pk))
    assert event.actor == tree.county_staff and event.new["name"] == "玄武区电子学会" and event.org_path == org.path


def test_create_organization_outside_scope_is_not_found(tree):
    with pytest.raises(NotFound):
        services.create_organization(actor=tree.county_staff, parent=tree.qh, name="x", code="X1", kind="committee")
    with pytest.raises(NotFound):
        services.create_organization(actor=tree.county_staff, parent=tree.nj, name="x", code="X2", kind="committee")


def test_create_organization_by_leader_is_forbidden(tree):
    with pytest.raises(PermissionDenied):
        services.create_organization(actor=tree.county_leader, parent=tree.xw, name="x", code="X3", kind="committee")


def test_create_organization_rejects_region_of_wrong_level(tree):
    with pytest.raises(DomainError) as exc:
        services.create_organization(actor=tree.nj_staff, parent=tree.nj, name="x", code="X4", kind="county_assoc", region=tree.regions["320100"])
    assert exc.value.field == "region"


def test_create_organization_rejects_region_outside_parent(tree):
    with pytest.raises(DomainError) as exc:
        services.create_organization(actor=tree.nj_staff, parent=tree.nj, name="x", code="X5", kind="county_assoc", region=tree.regions["320213"])
    assert exc.value.code == "region_outside_parent"


def test_create_organization_rejects_second_county_association(tree):
    with pytest.raises(DomainError) as exc:
        services.create_organization(actor=tree.nj_staff, parent=tree.nj, name="x", code="X6", kind="county_assoc", region=tree.regions["320102"])
    assert exc.value.code == "territorial_duplicate"


def test_create_organization_bad_uscc_names_field_and_writes_nothing(tree):
    before = (Organization.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.create_organization(
            actor=tree.province_staff,
            parent=tree.js,
            name="江苏省物理学会",
            code="PHY",
            kind="provincial_society",
            is_legal_person=True,
            uscc="51320000MJ5012345X",
        )
    assert "uscc" in exc.value.errors
    assert (Organization.objects.count(), AuditEvent.objects.count()) == before


def test_create_organization_legal_person_requires_uscc(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.create_organization(
            actor=tree.province_staff, parent=tree.js, name="江苏省化学学会", code="CHEM", kind="provincial_society", is_legal_person=True
        )
    assert "uscc" in exc.value.errors


def test_create_organization_duplicate_code_is_field_error(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.create_organization(actor=tree.province_staff, parent=tree.js, name="重复", code="NJ", kind="committee")
    assert "code" in exc.value.errors


def test_create_top_level_needs_platform_admin(tree):
    with pytest.raises(PermissionDenied):
        services.create_organization(
            actor=tree.province_staff, parent=None, name="x", code="TOP", kind="provincial_assoc", region=Region.objects.get(code="320000")
        )


def test_update_organization_records_only_changed_fields(tree):
    services.update_organization(tree.xw, actor=tree.county_staff, fulltime_staff=4, name=tree.xw.name, disciplines=["520"])
    event = AuditEvent.objects.filter(action="organization.updated").latest("id")
    assert event.old == {"fulltime_staff": 0, "disciplines": []}
    assert event.new == {"fulltime_staff": 4, "disciplines": ["520"]}


def test_update_organization_without_change_writes_no_event(tree):
    before = AuditEvent.objects.count()
    services.update_organization(tree.xw, actor=tree.county_staff, name=tree.xw.name)
    assert AuditEvent.objects.count() == before


def test_update_organization_rejects_unknown_field(tree):
    with pytest.raises(DomainError):
        services.update_organization(tree.xw, actor=tree.county_staff, path="000001")


def test_update_organization_term_end_before_start(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.update_organization(tree.xw, actor=tree.county_staff, term_start=datetime.date(2026, 1, 1), term_end=datetime.date(2025, 1, 1))
    assert "term_end" in exc.value.errors


def test_change_status_follows_transitions(tree):
    services.change_organization_status(tree.my, actor=tree.county_staff, status=OrgStatus.DORMANT, reason="无活动")
    services.change_organization_status(tree.my, actor=tree.county_staff, status=OrgStatus.DISSOLVED)
    with pytest.raises(IllegalTransition):
        services.change_organization_status(tree.my, actor=tree.county_staff, status=OrgStatus.ACTIVE)
    actions = list(AuditEvent.objects.filter(object_id=str(tree.my.pk), action="organization.status_changed").values_list("new", flat=True))
    assert {"status": "dissolved", "reason": ""} in actions


def test_change_status_dissolve_with_live_children_refused(tree):
    with pytest.raises(DomainError) as exc:
        services.change_organization_status(tree.xw, actor=tree.nj_staff, status=OrgStatus.DISSOLVED)
    assert exc.value.code == "has_children"


def test_move_organization_rewrites_subtree_paths(tree):
    tree.soc_ai = services.update_organization(tree.soc_ai, actor=tree.province_staff, region=tree.regions["320100"])
    services.move_organization(tree.soc_ai, actor=tree.province_staff, new_parent=tree.nj)
    tree.soc_ai.refresh_from_db()
    assert tree.soc_ai.path.startswith(tree.nj.path) and tree.soc_ai.depth == tree.nj.depth + 1
    services.move_organization(tree.my, actor=tree.province_staff, new_parent=tree.ent)
    services.move_organization(tree.xw, actor=tree.province_staff, new_parent=tree.js)
    for org in Organization.objects.filter(code__in=["XW", "XW-MY", "XW-ENT"]):
        assert org.path.startswith(tree.js.path)
        assert org.path == org.parent.path + org.path[-6:] and org.depth == org.parent.depth + 1


def test_move_organization_under_itself_refused(tree):
    with pytest.raises(DomainError) as exc:
        services.move_organization(tree.nj, actor=tree.province_staff, new_parent=tree.xw)
    assert exc.value.code == "cycle"


def test_move_organization_needs_scope_on_both_ends(tree):
    with pytest.raises(NotFound):
        services.move_organization(tree.my, actor=tree.county_staff, new_parent=tree.qh)


# ---- filing -------------------------------------------------------------------------------


def test_submit_filing_validates_every_field(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.submit_filing(
            actor=tree.worker,
            **filing_data(
                tree,
                name=" ",
                kind="provincial_society",
                host_uscc="123",
                contact_phone="12",
                member_count=0,
                founded_on=datetime.date(2999, 1, 1),
                region=tree.regions["320213"],
            ),
        )
    assert {"name", "kind", "host_uscc", "contact_phone", "member_count", "founded_on", "region"} <= set(exc.value.errors)
    assert not Filing.objects.exists()


def test_submit_filing_seals_phone_and_audits_masked(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    assert "13800001111" not in filing.contact_phone_sealed and filing.contact_phone_masked == "138****1111"
    event = AuditEvent.objects.get(action="filing.submitted")
    assert event.new["contact_phone"] == "138****1111" and event.org_path == tree.xw.path


def test_approve_filing_creates_association_with_host(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    filing = services.approve_filing(filing, actor=tree.county_staff)
    assert filing.status == FilingStatus.APPROVED
    org = filing.organization
    assert org.parent == tree.xw and org.kind == "enterprise_assoc" and org.host.uscc == "91350100M000100Y43"
    assert org.path.startswith(tree.xw.path)
    assert AuditEvent.objects.filter(action="organization.created", object_id=str(org.pk)).exists()


def test_approve_filing_by_submitter_refused(tree):
    filing = services.submit_filing(actor=tree.county_staff, **filing_data(tree))
    with pytest.raises(PermissionDenied):
        services.approve_filing(filing, actor=tree.county_staff)
    assert services.approve_filing(filing, actor=tree.nj_staff).status == FilingStatus.APPROVED


def test_approve_filing_outside_scope_not_found(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    for actor in (tree.sibling_staff, tree.wx_staff, tree.society_secretary):
        with pytest.raises(NotFound):
            services.approve_filing(filing, actor=actor)
    with pytest.raises(PermissionDenied):
        services.approve_filing(filing, actor=tree.county_leader)


def test_return_filing_needs_reason_then_resubmit_and_approve(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    with pytest.raises(DomainError):
        services.return_filing(filing, actor=tree.county_staff, reason="  ")
    services.return_filing(filing, actor=tree.county_staff, reason="请补充章程")
    with pytest.raises(IllegalTransition):
        services.approve_filing(filing, actor=tree.county_staff)
    filing = services.resubmit_filing(filing, actor=tree.worker, **filing_data(tree, charter_summary="章程全文……"))
    assert filing.status == FilingStatus.SUBMITTED
    assert services.approve_filing(filing, actor=tree.county_staff).organization is not None


def test_withdraw_filing_only_by_submitter_and_only_open(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    with pytest.raises(PermissionDenied):
        services.withdraw_filing(filing, actor=tree.county_staff)
    services.withdraw_filing(filing, actor=tree.worker)
    with pytest.raises(IllegalTransition):
        services.withdraw_filing(filing, actor=tree.worker)


def test_submit_filing_refuses_host_with_association_or_pending(tree):
    with pytest.raises(DomainError) as exc:
        services.submit_filing(actor=tree.worker, **filing_data(tree, host_uscc=tree.host.uscc))
    assert exc.value.code == "host_has_association"
    services.submit_filing(actor=tree.worker, **filing_data(tree))
    with pytest.raises(DomainError) as exc:
        services.submit_filing(actor=tree.worker, **filing_data(tree))
    assert exc.value.code == "filing_pending"


# ---- selectors ----------------------------------------------------------------------------


def test_visible_organizations_follow_scope(tree):
    def codes(user):
        return set(selectors.visible_organizations(user).values_list("code", flat=True))

    assert codes(tree.county_staff) == {"XW", "XW-MY", "XW-ENT"}
    assert codes(tree.nj_staff) == {"NJ", "XW", "XW-MY", "XW-ENT", "QH"}
    assert codes(tree.society_secretary) == {"SOC", "SOC-AI"}
    assert codes(tree.worker) == set()
    assert len(codes(tree.platform)) == Organization.objects.count()


def test_get_organization_for_parent_is_not_found(tree):
    with pytest.raises(NotFound):
        selectors.get_organization_for(tree.county_staff, tree.nj.pk)
    with pytest.raises(PermissionDenied):
        selectors.get_organization_for(tree.county_leader, tree.xw.pk, manage=True)


def test_search_organizations_filters(tree):
    found = selectors.search_organizations(tree.nj_staff, text="玄武")
    assert {o.code for o in found} == {"XW"}
    assert {o.code for o in selectors.search_organizations(tree.nj_staff, kind="county_assoc")} == {"XW", "QH"}
    assert {o.code for o in selectors.search_organizations(tree.province_staff, region=tree.regions["320200"])} == {"WX", "LX"}


def test_coverage_counts_gaps_and_institutions(tree):
    result = selectors.coverage(tree.nj_staff, tree.regions["320100"])
    counties = Region.objects.filter(path__startswith=tree.regions["320100"].path, level=3).count()
    assert result["counties"]["total"] == counties
    assert result["counties"]["gap_count"] == counties - 2  # XW and QH exist
    gaps = {r.code for r in result["counties"]["gaps"]}
    assert "320102" not in gaps and "320104" not in gaps
    enterprise_row = next(row for row in result["institutions"] if row["kind"] == "enterprise")
    assert enterprise_row["total"] == 1 and not list(enterprise_row["gaps"])
    services.change_organization_status(tree.ent, actor=tree.county_staff, status=OrgStatus.DORMANT)
    result = selectors.coverage(tree.nj_staff, tree.regions["320100"])
    enterprise_row = next(row for row in result["institutions"] if row["kind"] == "enterprise")
    assert [i.name for i in enterprise_row["gaps"]] == ["紫金科技有限公司"]


def test_coverage_outside_territory_not_found(tree):
    with pytest.raises(NotFound):
        selectors.coverage(tree.county_staff, tree.regions["320100"])
    with pytest.raises(NotFound):
        selectors.coverage(tree.nj_staff, tree.regions["320200"])


def test_audit_events_scoped(tree):
    services.update_organization(tree.qh, actor=tree.sibling_staff, fulltime_staff=2)
    services.update_organization(tree.xw, actor=tree.county_staff, fulltime_staff=3)
    mine = {e.object_id for e in selectors.visible_audit_events(tree.county_staff).filter(action="organization.updated")}
    assert mine == {str(tree.xw.pk)}
    assert {str(tree.xw.pk), str(tree.qh.pk)} <= {e.object_id for e in selectors.visible_audit_events(tree.nj_staff)}
    assert not selectors.visible_audit_events(tree.county_leader).exists()


def test_move_organization_checks_the_new_parents_region(tree):
    with pytest.raises(DomainError) as exc:
        services.move_organization(tree.xw, actor=tree.province_staff, new_parent=tree.wx)
    assert exc.value.code == "region_outside_parent"


def test_move_organization_refuses_a_dissolved_parent(tree):
    services.change_organization_status(tree.my, actor=tree.county_staff, status=OrgStatus.DISSOLVED)
    with pytest.raises(DomainError) as exc:
        services.move_organization(tree.soc_ai, actor=tree.platform, new_parent=tree.my)
    assert exc.value.code in {"parent_dissolved", "region_outside_parent"}


def test_create_organization_any_kind_stays_inside_parent_region(tree):
    with pytest.raises(DomainError) as exc:
        services.create_organization(
            actor=tree.county_staff, parent=tree.xw, name="志愿服务队", code="VT1", kind="volunteer_team", region=tree.regions["320200"]
        )
    assert exc.value.code == "region_outside_parent"


def test_filing_transitions_give_403_to_staff_who_can_see_it(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    with pytest.raises(PermissionDenied):
        services.withdraw_filing(filing, actor=tree.county_staff)
    with pytest.raises(NotFound):
        services.withdraw_filing(filing, actor=tree.sibling_staff)


def test_submit_filing_overlong_name_is_a_field_error(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.submit_filing(actor=tree.worker, **filing_data(tree, name="协" * 200))
    assert "name" in exc.value.errors


def test_resubmit_filing_keeps_the_phone_when_not_retyped(tree):
    filing = services.submit_filing(actor=tree.worker, **filing_data(tree))
    services.return_filing(filing, actor=tree.county_staff, reason="补充材料")
    filing = services.resubmit_filing(filing, actor=tree.worker, **filing_data(tree, contact_phone=""))
    assert filing.contact_phone_masked == "138****1111"
