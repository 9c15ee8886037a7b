"""Shared fixtures: the reference data and a small federation with the actors of every test.

The tree (codes are GB/T 2260):
    JS 江苏省科协 (320000)
    ├── NJ 南京市科协 (320100)
    │   ├── XW 玄武区科协 (320102)
    │   │   ├── XW-MY 梅园新村街道科协 (320102002)
    │   │   └── XW-ENT 紫金科技有限公司科协 (enterprise association)
    │   └── QH 秦淮区科协 (320104)          ← sibling of XW
    ├── WX 无锡市科协 (320200)              ← sibling of NJ
    │   └── LX 梁溪区科协 (320213)
    └── SOC 江苏省计算机学会 (provincial society)
        └── SOC-AI 人工智能专业委员会 (branch)
"""

import datetime
from types import SimpleNamespace

import pytest

PASSWORD = "Kejia-test-2026"


def _ensure_reference():
    from kejia.reference.models import Region
    from kejia.reference.services import load_disciplines, load_regions

    if not Region.objects.filter(code="320000").exists():
        load_regions(provinces=["32"])
        load_disciplines()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Jiangsu's divisions once per test database; tests roll back on top of them.
    (A transactional test flushes them; `reference` then loads them again.)"""
    with django_db_blocker.unblock():
        _ensure_reference()


@pytest.fixture
def reference(db):
    _ensure_reference()


@pytest.fixture
def tree(reference):
    from kejia.accounts.models import User
    from kejia.accounts.services import create_user, grant_role
    from kejia.organizations.kinds import InstitutionKind
    from kejia.organizations.models import Institution
    from kejia.organizations.services import create_organization
    from kejia.reference.models import Region

    root = User.objects.create_superuser("platform", "platform@example.cn", PASSWORD, display_name="平台管理员")
    r = {c: Region.objects.get(code=c) for c in ("320000", "320100", "320102", "320104", "320102002", "320200", "320213")}

    def org(parent, name, code, kind, region=None, **kw):
        return create_organization(actor=root, parent=parent, name=name, code=code, kind=kind, region=region, **kw)

    js = org(None, "江苏省科学技术协会", "JS", "provincial_assoc", r["320000"])
    nj = org(js, "南京市科学技术协会", "NJ", "municipal_assoc", r["320100"])
    xw = org(nj, "玄武区科学技术协会", "XW", "county_assoc", r["320102"])
    my = org(xw, "梅园新村街道科学技术协会", "XW-MY", "township_assoc", r["320102002"])
    host = Institution.objects.create(name="紫金科技有限公司", kind=InstitutionKind.ENTERPRISE, region=r["320102"],
                                      uscc="91320102MA1XYW001U", is_large=True)
    ent = org(xw, "紫金科技有限公司科学技术协会", "XW-ENT", "enterprise_assoc", r["320102"], host=host)
    qh = org(nj, "秦淮区科学技术协会", "QH", "county_assoc", r["320104"])
    wx = org(js, "无锡市科学技术协会", "WX", "municipal_assoc", r["320200"])
    lx = org(wx, "梁溪区科学技术协会", "LX", "county_assoc", r["320213"])
    soc = org(js, "江苏省计算机学会", "SOC", "provincial_society", r["320000"], is_legal_person=True, uscc="51320000MJ5012345H")
    soc_ai = org(soc, "江苏省计算机学会人工智能专业委员会", "SOC-AI", "committee", r["320000"])

    def user(username, organization=None, kind="staff", **kw):
        u = create_user(actor=root, username=username, password=PASSWORD, display_name=username, check_password=False, **kw)
        if organization is not None:
            grant_role(u, actor=root, organization=organization, kind=kind)
        return u

    return SimpleNamespace(
        regions=r, js=js, nj=nj, xw=xw, my=my, ent=ent, qh=qh, wx=wx, lx=lx, soc=soc, soc_ai=soc_ai, host=host,
        platform=root,
        province_staff=user("js_staff", js),
        nj_staff=user("nj_staff", nj),
        nj_admin=user("nj_admin", nj, "admin"),
        county_staff=user("xw_staff", xw, phone="13912340001"),
        county_leader=user("xw_leader", xw, "leader"),
        sibling_staff=user("qh_staff", qh),
        wx_staff=user("wx_staff", wx),
        society_secretary=user("soc_staff", soc),
        worker=user("worker", None, phone="13912340009"),
        password=PASSWORD,
        today=datetime.date(2026, 11, 23),
    )
