from kejia.memberships.tests.test_scope import *  # noqa
from kejia.memberships.tests.test_scope import _world  # noqa
from collections import Counter

def test_probe(world):
    c = Counter()
    for actor in ACTORS:
        for e in ENDPOINTS:
            for key in OBJECTS[e.target]:
                c[expectation(world, actor, e, key)] += 1
    print(c)
    e = next(e for e in ENDPOINTS if e.route == "POST /api/memberships/{id}/representatives")
    for key in ("m_soc_a", "g_soc"):
        obj = RESOLVE["m"](world, key)
        with transaction.atomic():
            r = send(world, "soc_leader", e, obj)
            transaction.set_rollback(True)
        print(key, expectation(world, "soc_leader", e, key), r.status_code, r.content[:200])
