"""Schema fuzzing of the whole JSON API: schemathesis generates requests from the OpenAPI document
for every operation and sends them, in process (WSGI, no network), with a bearer token of each role
and without one. Every answer must be below 500.

Not collected by `make test` (the file name does not start with `test_`); run it explicitly:

    .venv/bin/pytest -p no:xdist -q -s tests/fuzz/fuzz_api.py         # FUZZ_EXAMPLES=5 per operation
    FUZZ_EXAMPLES=20 FUZZ_MINUTES=60 .venv/bin/pytest -p no:xdist -q tests/fuzz/fuzz_api.py

It stops by itself: a bounded number of examples per operation and role, and no new operation is
started after FUZZ_MINUTES (default 30). The data is the demo province (200 organizations, 80
people, memberships, governance, events, surveys…) in the test database, each operation's examples
rolled back after it. The count of cases and of 5xx answers is written to the terminal at the end."""

import json
import logging
import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
DEADLINE = time.monotonic() + 60 * float(os.environ.get("FUZZ_MINUTES", "30"))
ROLES = ["platform", "province_staff", "county_staff", "county_leader", "society_staff", "worker", "anonymous"]
TALLY: Counter = Counter()
logging.getLogger("django.request").setLevel(logging.ERROR)  # a 4xx per case is expected; a 500 is still logged
FAILURES: list[str] = []


@pytest.fixture(scope="session")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo province and a token per role, written once for the whole run."""
    from django.conf import settings as django_settings
    from django.core.management import call_command

    from kejia.accounts.models import Role, RoleKind, User
    from kejia.accounts.services import issue_api_token
    from kejia.organizations.kinds import OrgKind

    django_settings.SEARCH_INDEX_DIR = tmp_path_factory.mktemp("search")
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=200, people=80, verbosity=0)

        def holder(kind: str, level: set[str]) -> User:
            role = Role.objects.filter(kind=kind, organization__kind__in=level).select_related("user").order_by("pk").first()
            assert role is not None, (kind, level)
            return role.user

        users = {
            "platform": User.objects.filter(is_superuser=True).order_by("pk").first(),
            "province_staff": holder(RoleKind.STAFF, {OrgKind.PROVINCIAL_ASSOCIATION}),
            "county_staff": holder(RoleKind.STAFF, {OrgKind.COUNTY_ASSOCIATION}),
            "county_leader": holder(RoleKind.LEADER, {OrgKind.COUNTY_ASSOCIATION}),
            "society_staff": holder(RoleKind.STAFF, {OrgKind.PROVINCIAL_SOCIETY}),
            "worker": User.objects.filter(roles__isnull=True, is_superuser=False).order_by("pk").first(),
        }
        tokens = {role: issue_api_token(user)[1] for role, user in users.items() if user is not None}
    yield tokens
    cases = sum(TALLY.values())
    server_errors = sum(n for (_, status), n in TALLY.items() if status >= 500)
    by_status: Counter = Counter()
    for (_, status), n in TALLY.items():
        by_status[status] += n
    summary = {"requests": cases, "5xx": server_errors, "by_status": dict(sorted(by_status.items()))}
    print("\nFUZZ SUMMARY", json.dumps(summary, sort_keys=True), *FAILURES[:50], sep="\n")


def _load_schema():
    from django.core.wsgi import get_wsgi_application

    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    # FUZZ_PATHS (a regular expression) runs a part of the API, e.g. to split a run in two processes.
    return loaded.include(path_regex=os.environ["FUZZ_PATHS"]) if os.environ.get("FUZZ_PATHS") else loaded


schema = _load_schema()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck)
)
def test_no_server_error(case, fuzz_world):
    """Each generated request is sent once per role (and once without a token)."""
    if time.monotonic() > DEADLINE:
        pytest.skip("FUZZ_MINUTES reached")
    errors = []
    for role in ROLES:
        headers = {"Authorization": f"Bearer {fuzz_world[role]}"} if role in fuzz_world else {}
        response = case.call(headers=headers)
        TALLY[(role, response.status_code // 100 * 100)] += 1
        if response.status_code >= 500:
            errors.append(f"{role}: {case.method} {case.formatted_path} -> {response.status_code}\n{case.as_curl_command()}")
    FAILURES.extend(errors)
    assert not errors, "\n".join(errors)
