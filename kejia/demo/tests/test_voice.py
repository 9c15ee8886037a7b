"""The demo seed: a mix of states with public answers signed by leaders, once, deterministic."""

from kejia.core.models import AuditEvent
from kejia.demo.voice import seed_voice
from kejia.voice import selectors
from kejia.voice.escalation import escalate_overdue
from kejia.voice.models import Answer, Item
from kejia.voice.tests.conftest import at, default_deadline_rules  # noqa: F401 (autouse: the deadline rules the items need)


def test_seed_voice_makes_a_mix_once(tree):
    made = seed_voice(seed=7, actor=tree.platform, items=120)
    assert made["items"] == Item.objects.count() > 120
    assert made["public answers"] > 0 and made["overdue"] > 0 and made["escalated"] > 0 and made["worker's items"] == 5
    statuses = set(Item.objects.values_list("status", flat=True))
    assert {"submitted", "answered", "closed"} <= statuses
    public = Answer.objects.filter(is_public=True)
    assert public.exists() and all(a.signer_name and a.signer_title and a.item.allow_public for a in public)
    assert set(public.values_list("signed_by__username", flat=True)) <= {"xw_leader"}
    assert selectors.items_of_sender(tree.worker).count() == 5
    assert AuditEvent.objects.filter(action="voice.demo_seeded").count() == 1
    assert seed_voice(seed=7, actor=tree.platform) == {}
    # Some items are a few days overdue: the next run moves them, a second run nothing.
    assert escalate_overdue(now=at("2026-11-23")).escalated > 0
    assert escalate_overdue(now=at("2026-11-23")).escalated == 0


def test_seed_voice_is_deterministic(tree):
    first = seed_voice(seed=11, actor=tree.platform, items=60)
    rows = list(Item.objects.order_by("pk").values_list("title", "status", "organization__code", "due_on"))
    Item.objects.all().delete()
    assert seed_voice(seed=11, actor=tree.platform, items=60) == first
    assert list(Item.objects.order_by("pk").values_list("title", "status", "organization__code", "due_on")) == rows
