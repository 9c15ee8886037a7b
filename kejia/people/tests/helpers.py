"""Shared builders of the people tests (valid identifiers computed by their standards)."""

from kejia.core.validators import resident_id_check_char
from kejia.people import services


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


ID_A = resident_id("32010219800101069")  # 1980-01-01, male
ID_B = resident_id("32010419900315002")  # 1990-03-15, female
ID_C = resident_id("32021319751120003")  # 1975-11-20, male


def make(tree, org=None, actor=None, **over):
    data = dict(
        name="李明",
        resident_id=ID_A,
        phone="13905140001",
        sector="university",
        title="教授",
        title_level="senior",
        expertise="机器学习 知识图谱",
        research_summary="研究大规模知识图谱构建。",
        employer_name="东南大学",
    )
    data.update(over)
    return services.create_person(actor=actor or tree.county_staff, organization=org or tree.xw, consent_source="form", **data)


def link(user, person_name: str, **proof) -> "object":
    """Link `user` to their profile the way a person does: the proof, then the code sent to the profile."""
    from kejia.core.testing.notices import last_code
    from kejia.people import linking

    linking.start_account_link(user=user, name=person_name, **proof)
    return linking.confirm_account_link(user=user, code=last_code("people.link_code"))
