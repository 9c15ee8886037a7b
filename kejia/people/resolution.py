"""Identity resolution: one person appears once however many organizations list them.

Interface used by the importer and the services (keep it stable):
    match_person(data) -> Match
where `data` is a cleaned profile dict (services.clean_profile output: name, resident_id,
phone, birth_date, gender, employer_name, ...). Match.decision is
    "same"   — certain: attach to Match.person,
    "review" — uncertain: create a new record and queue the pair for staff review,
    "new"    — no candidate.
"""

from dataclasses import dataclass, field

from kejia.core import pii
from kejia.people.choices import PersonStatus
from kejia.people.models import Person


@dataclass
class Match:
    decision: str
    person: Person | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def match_person(data: dict) -> Match:
    active = Person.objects.filter(status=PersonStatus.ACTIVE)
    if data.get("resident_id"):
        person = active.filter(id_hash=pii.blind_index(data["resident_id"])).first()
        if person is not None:
            return Match("same", person, 1.0, ["resident_id"])
    return Match("new")
