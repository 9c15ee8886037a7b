"""Walks every page of the demo as each demo role, in zh-hans, and reports English left on them.

Used by kejia/core/tests/test_pages_in_chinese.py (on a freshly seeded small demo) and runnable by
hand on the demo database: `ALLOW_DEVELOPMENT_KEYS=true python manage.py shell -c
"from kejia.core.testing.chinese_pages import main; main()"`.

The URLs come from the resolver: a page without arguments is fetched directly; a page with an id
takes it from a link the same user was shown on an earlier page (so the object is one the user
can see), else from `FALLBACK_MODELS` (the newest object of that kind). Every pattern is fetched
at most once per user. The text of a page is its visible text and the attributes people read
(title, placeholder, aria-label, alt, value of buttons); scripts, styles, e-mail addresses, URLs,
the tokens of a format (`{code}`) and the contents of `<code>`/`<kbd>`/`<pre>` and of elements
marked `translate="no"` or in another language (`lang="en"`, pinyin as `lang="zh-Latn"`) are
dropped. A run of Latin words is English unless every word in it is allowed: in `ALLOWED` (names
of products, standards, formats and units), one of the given names (usernames), an acronym or a
code (no lower-case letter, or letters mixed with digits)."""

import re
from collections import deque
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

# Words that may stay Latin on a Chinese page: product and standard names, units, formats.
ALLOWED = {
    "kejia",
    "api",
    "openapi",
    "json",
    "csv",
    "xlsx",
    "excel",
    "word",  # the file type named beside PDF and Excel (Word, WPS 文字)
    "docx",
    "pdf",
    "ics",
    "icalendar",
    "url",
    "http",
    "https",
    "id",
    "ip",
    "sms",
    "qr",
    "ai",
    "uscc",
    "gb",
    "t",
    "e-mail",
    "email",
    "wps",
    "orcid",
    "doi",
    "isbn",
    "issn",
    "km",
    "kg",
    "mb",
    "kb",
    "h",
    "min",
    "s",
    "ms",
    "cm",
    "mm",
    "m",
    "x",
    "utf-8",
    "ed25519",
    "sha-256",
    "hmac",
    "cast",
    "ieee",
    "acm",
    "sci",
    "ei",
    "ssci",
    "cssci",
    "cscd",
}
SKIP_TAGS = {"script", "style", "code", "kbd", "pre", "samp", "template", "svg"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRS = {"title", "placeholder", "aria-label", "alt"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URLISH = re.compile(r"(https?://|/)[\w./?=&%#:+-]*")
PLACEHOLDER = re.compile(r"\{[\w:]+\}")  # the tokens of a format users type: {code}-{year}-{seq:05}
LATIN_RUN = re.compile(r"[A-Za-z][\w'’.&-]*(?:[ \t]+[A-Za-z][\w'’.&-]*)*", re.ASCII)

# A page with an id that no link led to: the newest object of this model fills it (the page may
# then answer 403/404 for this user, which is skipped).
FALLBACK_MODELS = {
    "people:detail": "people.Person",
    "people:edit": "people.Person",
    "people:review_detail": "people.MatchCandidate",
    "imports:detail": "imports.ImportBatch",
    "memberships:society": "organizations.Organization",
    "memberships:detail": "memberships.Membership",
    "memberships:members": "organizations.Organization",
    "memberships:classes": "organizations.Organization",
    "memberships:rules": "organizations.Organization",
    "memberships:society_stats": "organizations.Organization",
    "memberships:class_edit": "memberships.MemberClass",
    "governance:org": "organizations.Organization",
    "governance:compliance": "organizations.Organization",
    "governance:contacts": "organizations.Organization",
    "governance:body": "governance.Body",
    "governance:term": "governance.Term",
    "governance:slate": "governance.Slate",
    "governance:contact": "governance.ContactAssignment",
    "governance:ruleset": "governance.RuleSet",
    "governance:ruleset_edit": "governance.RuleSet",
    "governance:rule_edit": "governance.Rule",
    "grassroots:area": "organizations.Organization",
    "activities:event": "activities.Event",
    "activities:calendar": "organizations.Organization",
    "activities:registration": "activities.Registration",
    "activities:registrations": "activities.Event",
    "activities:invitations": "activities.Event",
    "activities:checkin": "activities.Event",
    "activities:event_edit": "activities.Event",
    "activities:event_create": "organizations.Organization",
    "volunteering:ledger": "people.Person",
    "volunteering:demand": "volunteering.ServiceDemand",
    "volunteering:org": "organizations.Organization",
    "volunteering:team": "organizations.Organization?kind=volunteer_team",
    "volunteering:service": "volunteering.ServiceRecord",
    "volunteering:team_new": "organizations.Organization",
    "volunteering:demand_new": "organizations.Organization",
    "volunteering:member_add": "organizations.Organization?kind=volunteer_team",
    "volunteering:service_new": "organizations.Organization?kind=volunteer_team",
    "voice:item": "voice.Item",
    "surveys:detail": "surveys.Survey",
    "surveys:edit": "surveys.Survey",
    "surveys:builder": "surveys.Survey",
    "surveys:preview": "surveys.Survey",
    "surveys:subjects": "surveys.Survey",
    "surveys:distribution": "surveys.Survey",
    "surveys:tracking": "surveys.Survey",
    "surveys:results": "surveys.Survey",
    "surveys:evaluation": "organizations.Organization",
    "surveys:answer": "surveys.Survey",
    "surveys:station": "surveys.Survey",
    "surveys:question_edit": "surveys.Question",
    "home:association": "organizations.Organization",
    "organizations:detail": "organizations.Organization",
    "organizations:children": "organizations.Organization",
    "organizations:create": "organizations.Organization",
    "organizations:edit": "organizations.Organization",
    "organizations:status": "organizations.Organization",
    "organizations:move": "organizations.Organization",
    "organizations:roles": "organizations.Organization",
    "organizations:filing_detail": "organizations.Filing",
    "organizations:filing_edit": "organizations.Filing",
}
# Pages that change something when fetched or only answer with a file are never fetched.
NOT_PAGES = {"set_language", "accounts:logout"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []  # open elements whose content is dropped

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if self.skip and tag in VOID_TAGS:
            return
        if tag not in VOID_TAGS and (
            tag in SKIP_TAGS
            or attrs.get("translate") == "no"
            or self.skip
            or (attrs.get("lang") and not attrs["lang"].lower().startswith("zh-hans") and attrs["lang"].lower() != "zh")
        ):
            self.skip.append(tag)
            return
        for name in READ_ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag) -> None:
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()
        elif self.skip and tag in self.skip:
            while self.skip and self.skip.pop() != tag:
                pass

    def handle_data(self, data) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return [p for p in (" ".join(part.split()) for part in parser.parts) if p]


def _allowed(word: str, names: frozenset[str] = frozenset()) -> bool:
    bare = word.strip("'’.&-")
    if not bare or len(bare) == 1:
        return True
    if bare.lower() in ALLOWED or word.lower() in ALLOWED or bare in names:
        return True
    if not any(c.islower() for c in bare):  # an acronym or code: CAST, GB/T, XW-01
        return True
    return any(c.isdigit() for c in bare)  # a code: MA1XYW0, v2


def english_runs(text: str, names: frozenset[str] = frozenset()) -> list[str]:
    """The runs of Latin words in `text` that are not all allowed; `names` are more allowed words
    (the usernames of the demo, which pages show in pickers and logs)."""
    text = PLACEHOLDER.sub(" ", URLISH.sub(" ", EMAIL.sub(" ", text)))
    return [run for run in (m.group(0) for m in LATIN_RUN.finditer(text)) if not all(_allowed(w, names) for w in run.split())]


def patterns() -> list[tuple[str, URLPattern]]:
    def walk(items, ns=None):
        for item in items:
            if isinstance(item, URLResolver):
                if str(item.pattern).startswith("api/"):
                    continue
                yield from walk(item.url_patterns, ":".join(filter(None, [ns, item.namespace])) or None)
            elif item.name:
                yield (f"{ns}:{item.name}" if ns else item.name), item

    return list(walk(get_resolver().url_patterns))


def _fallback_url(name: str, pattern: URLPattern) -> str | None:
    keys = list(pattern.pattern.converters)
    if keys != ["pk"] or name not in FALLBACK_MODELS:
        return None
    label, _, where = FALLBACK_MODELS[name].partition("?")
    filters = dict(item.split("=") for item in where.split("&")) if where else {}
    obj = apps.get_model(label).objects.filter(**filters).order_by("-pk").first()
    if obj is None:
        return None
    try:
        return reverse(name, kwargs={"pk": obj.pk})
    except NoReverseMatch:
        return None


HREF = re.compile(r'href="([^"#]+)"')


def crawl(client: Client, *, only: Iterable[str] | None = None, shown: set[str] | None = None, names: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """{url: [English runs]} for every page the client can see; `shown` collects the URL names
    that answered with a page."""
    todo = dict(patterns())
    if only is not None:
        todo = {k: v for k, v in todo.items() if k in set(only)}
    todo = {k: v for k, v in todo.items() if k not in NOT_PAGES}
    queue = deque(reverse(name) for name, p in todo.items() if not p.pattern.converters)
    seen_names: set[str] = set()
    findings: dict[str, list[str]] = {}

    def fetch(url: str) -> None:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        html = response.content.decode()
        if shown is not None:
            shown.add(resolve(urlsplit(url).path).view_name)
        runs = sorted({run for text in visible_text(html) for run in english_runs(text, names)})
        if runs:
            findings[url] = runs
        for href in HREF.findall(html):
            path = urlsplit(href.replace("&amp;", "&")).path
            if not path.startswith("/") or path.startswith(("/static/", "/api/")):
                continue
            try:
                match = resolve(path)
            except Resolver404:
                continue
            if match.view_name in todo and match.view_name not in seen_names:
                seen_names.add(match.view_name)
                queue.append(path)

    seen_names.update(name for name, p in todo.items() if not p.pattern.converters)
    while True:
        while queue:
            fetch(queue.popleft())
        left = [name for name in todo if name not in seen_names]
        extra = [(name, _fallback_url(name, todo[name])) for name in left]
        seen_names.update(left)
        extra = [url for _, url in extra if url]
        if not extra:
            return findings
        queue.extend(extra)


def demo_users(*, one_per_role: bool = False):
    from kejia.accounts.models import User
    from kejia.core.models import AuditEvent
    from kejia.demo.common import SEED_ACTION

    event = AuditEvent.objects.filter(action=SEED_ACTION).order_by("-id").first()
    logins = event.new.get("users", []) if event else []
    if one_per_role:
        # One login per role (a society's staff apart): js_staff stands for nj_staff and qh_staff too.
        users = User.objects.filter(username__in=[u["username"] for u in logins]).select_related()
        kinds = {u.username: u for u in users}
        picked: dict[tuple, str] = {}
        for login in logins:
            user = kinds.get(login["username"])
            role = user.roles.select_related("organization").first() if user else None
            key = (login["role"], "society" in (role.organization.kind if role else ""))
            picked.setdefault(key, login["username"])
        usernames = list(picked.values())
    else:
        usernames = [u["username"] for u in logins]
    return list(User.objects.filter(username__in=usernames).order_by("pk"))


def usernames() -> frozenset[str]:
    from kejia.accounts.models import User

    return frozenset(User.objects.values_list("username", flat=True))


def main() -> None:
    from django.test.utils import override_settings

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        total: dict[str, set[str]] = {}
        shown: set[str] = set()
        for user in demo_users():
            client = Client()
            client.force_login(user)
            for url, runs in crawl(client, shown=shown, names=usernames()).items():
                for run in runs:
                    total.setdefault(run, set()).add(f"{user.username} {url}")
        for run, where in sorted(total.items(), key=lambda kv: -len(kv[1])):
            print(f"{run!r}: {len(where)} — {sorted(where)[:3]}")
        print("never shown:", sorted(name for name, _ in patterns() if name not in shown and name not in NOT_PAGES))
