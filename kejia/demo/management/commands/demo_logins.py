"""`manage.py demo_logins`: who can log in to the demo, as what, and with which password."""

import unicodedata

from django.core.management.base import BaseCommand

from kejia.core.models import AuditEvent
from kejia.demo.common import DEMO_PASSWORD, SEED_ACTION
from kejia.demo.people import role_label

URL = "http://127.0.0.1:8000/"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([rule, line(header), rule, *(line(r) for r in rows), rule])


class Command(BaseCommand):
    help = "Print the demo logins (username, role, organization, password)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=URL, help=f"The address the demo is served on (default {URL}).")

    def handle(self, *args, **options) -> None:
        event = AuditEvent.objects.filter(action=SEED_ACTION).order_by("-id").first()
        if event is None:
            self.stdout.write("No demo data here. Run: python manage.py seed_demo\n这里还没有演示数据。请先运行 python manage.py seed_demo")
            return
        rows = []
        # The province's logins, then those other demo data brought (the national staff running calls).
        extra = AuditEvent.objects.filter(action__endswith=".demo_seeded").exclude(action=SEED_ACTION).order_by("id")
        for user in [*event.new.get("users", []), *(u for e in extra for u in (e.new or {}).get("users", []))]:
            zh, en = role_label(user["role"])
            role = f"{zh}{'（' + user['title'] + '）' if user.get('title') else ''} / {en}"
            rows.append([user["username"], role, user.get("organization") or "—", DEMO_PASSWORD])
        self.stdout.write("科家 Kejia 演示账号 / Demo logins")
        self.stdout.write(format_table(["用户名 Username", "角色 Role", "组织 Organization", "密码 Password"], rows))
        self._worker_hint()
        self.stdout.write(f"打开 / Open {options['url']}")

    def _worker_hint(self) -> None:
        """The demo S&T worker's profile waits to be linked (a step the demo shows): say how."""
        from kejia.accounts.models import User
        from kejia.core import pii
        from kejia.demo.common import demo_worker_person

        user = User.objects.filter(username="worker").first()
        person = demo_worker_person()
        if user is None or person is None or person.user_id == user.pk or not user.phone_sealed:
            return
        phone = pii.decrypt(user.phone_sealed)
        self.stdout.write(
            f"worker 登录后在 /people/me/ 用姓名「{person.name}」和手机号 {phone} 关联人才库档案"
            "（验证码发往档案手机号；演示环境下见服务器日志），"
            "个人主页 /me/ 即显示其会籍、活动、志愿时长、建言和问卷。\n"
            f"worker: after logging in, link the talent-database profile at /people/me/ with the name {person.name} and the phone "
            f"{phone} (the code goes to the profile's phone; in the demo it is in the server log); "
            "the online home /me/ then shows their memberships, events, volunteer hours, suggestions and surveys."
        )
