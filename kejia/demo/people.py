"""The demo's persons and open filings, created through the ordinary services (accounts,
filing) so that they carry the same audit trail as real ones. Names come from Faker; phone
numbers are invented 139… numbers; nothing is taken from the seed documents."""

import datetime
import random

from django.contrib.auth.hashers import make_password
from faker import Faker
from pypinyin import Style, lazy_pinyin

from kejia.accounts.models import RoleKind, User
from kejia.accounts.services import create_user, grant_role
from kejia.core.errors import ValidationFailed
from kejia.demo.common import ANCHOR, DEMO_PASSWORD, stem
from kejia.demo.province import DemoProvince
from kejia.organizations.kinds import InstitutionKind, OrgKind, OrgStatus

# For `demo_logins`, which prints both languages side by side (a console table, not the UI).
ROLE_LABELS = {
    "platform": ("平台管理员", "Platform administrator"),
    RoleKind.ADMIN: ("管理员", "Administrator"),
    RoleKind.STAFF: ("工作人员", "Staff"),
    RoleKind.LEADER: ("领导", "Leader"),
    "worker": ("科技工作者", "S&T worker"),
    "reviewer": ("评审专家", "Expert reviewer"),
}


def _initials(name: str) -> str:
    return "".join(lazy_pinyin(stem(name, ("自治区", "省", "市", "区", "县")), style=Style.FIRST_LETTER))


class _Phones:
    """Invented mobile numbers (139 + 8 digits), unique among users; their own random stream so
    that adding a user never changes the tree."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7 + 139)

    def __call__(self) -> str:
        return "139" + "".join(self.rng.choice("0123456789") for _ in range(8))


def create_demo_users(demo: DemoProvince, *, seed: int) -> tuple[User, list[dict]]:
    """A platform administrator and people at every level of the demo tree, all with the demo
    password. Returns the administrator and one row per user for `demo_logins`."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    phones = _Phones(seed)
    sk = demo.sk
    province = demo.territorial[sk.province.code]
    capital = demo.territorial[sk.cities[0].code]
    county_region, sibling_region = sk.counties[sk.cities[0].code][:2]
    county, sibling = demo.territorial[county_region.code], demo.territorial[sibling_region.code]
    society = next((s for s in demo.societies if s.name.endswith("计算机学会")), demo.societies[0])
    taken: set[str] = set()

    def prefix(name: str) -> str:
        base = _initials(name) or "demo"
        out, n = base, 1
        while out in taken:
            n += 1
            out = f"{base}{n}"
        taken.add(out)
        return out

    p, c, x, s = prefix(sk.province.name), prefix(sk.cities[0].name), prefix(county_region.name), prefix(sibling_region.name)
    specs = [
        ("admin", "platform", None, "", False),
        (f"{p}_admin", RoleKind.ADMIN, province, "", False),
        (f"{p}_staff", RoleKind.STAFF, province, "", False),
        (f"{p}_leader", RoleKind.LEADER, province, "副主席", False),
        (f"{c}_admin", RoleKind.ADMIN, capital, "", False),
        (f"{c}_staff", RoleKind.STAFF, capital, "", True),
        (f"{x}_staff", RoleKind.STAFF, county, "", True),
        (f"{x}_leader", RoleKind.LEADER, county, "主席", False),
        (f"{s}_staff", RoleKind.STAFF, sibling, "", False),
        ("soc_staff", RoleKind.STAFF, society, "秘书长", True),
        ("worker", "worker", None, "", True),
    ]
    admin = None
    rows: list[dict] = []
    created: list[int] = []
    for username, role, org, title, with_phone in specs:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = _create(username, fake.name(), phones if with_phone else None, actor=admin)
            created.append(user.pk)
        if role == "platform":
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
            admin = user
        elif org is not None:
            grant_role(user, actor=admin, organization=org, kind=role, title=title)
        rows.append(
            {
                "username": username,
                "name": user.display_name,
                "role": str(role),
                "title": title,
                "organization": org.name if org is not None else "",
                "organization_id": org.pk if org is not None else None,
            }
        )
    # They all share the published demo password, so one Argon2 hash serves them all (a hash
    # costs about a third of a second on a small machine; eleven of them doubled the seed time).
    User.objects.filter(pk__in=created).update(password=make_password(DEMO_PASSWORD))
    return admin, rows


def _create(username: str, display_name: str, phones: _Phones | None, *, actor) -> User:
    for _attempt in range(20):
        phone = phones() if phones else ""
        try:
            # No password yet (None makes it unusable without hashing); see create_demo_users.
            return create_user(actor=actor, username=username, password=None, display_name=display_name, phone=phone, check_password=False)
        except ValidationFailed as exc:
            if phones is None or "phone" not in exc.errors:
                raise
    raise RuntimeError(f"could not find a free phone number for {username}")


def create_demo_filings(demo: DemoProvince, *, seed: int, count: int = 4) -> int:
    """A few online filings (备案) of new enterprise and park associations in the capital, submitted
    by the demo S&T worker and waiting for the county or city staff to decide."""
    from kejia.organizations.services import submit_filing

    worker = User.objects.get(username="worker")
    fake = Faker("zh_CN")
    fake.seed_instance(seed + 1)
    rng = random.Random(seed + 2)
    phones = _Phones(seed + 3)
    sk = demo.sk
    capital = sk.cities[0]
    county_codes = {c.code for c in sk.counties[capital.code]}
    first_county = sk.counties[capital.code][0].code
    covered = {o.host_id for kind in (OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.PARK_ASSOCIATION) for o in demo.hosted.get(kind, [])}
    firms = [f for f in demo.institutions[InstitutionKind.ENTERPRISE] if f.is_large and f.region_id in county_codes and f.pk not in covered]
    firms.sort(key=lambda f: (f.region_id != first_county, f.pk))  # the demo county first
    parks = [p for p in demo.institutions[InstitutionKind.PARK] if p.region_id in county_codes and p.pk not in covered]
    hosts = [(OrgKind.ENTERPRISE_ASSOCIATION, f) for f in firms[: count - 1]] + [(OrgKind.PARK_ASSOCIATION, p) for p in parks[:1]]
    regions = {r.code: r for r in sk.counties[capital.code]}
    made = 0
    for kind, host in hosts[:count]:
        guide = demo.territorial.get(host.region_id)
        if guide is None or guide.status != OrgStatus.ACTIVE or kind == OrgKind.PARK_ASSOCIATION:
            guide = demo.territorial[capital.code]
        submit_filing(
            actor=worker,
            name=f"{host.name}科学技术协会",
            kind=kind,
            parent=guide,
            region=regions[host.region_id],
            host_name=host.name,
            host_uscc=host.uscc,
            founded_on=ANCHOR - datetime.timedelta(days=rng.randint(10, 120)),
            member_count=rng.randint(20, 400),
            chair_name=fake.name(),
            contact_name=fake.name(),
            contact_phone=phones(),
            charter_summary="联系服务本单位科技工作者，开展学术交流、技术攻关、科学普及和建言献策。",
        )
        made += 1
    return made


def role_label(role: str) -> tuple[str, str]:
    return ROLE_LABELS.get(role, (role, role))
