"""Demo data of voice (`seed_demo` calls `seed_voice` once people and memberships exist)."""


def seed_voice(*, seed: int, actor) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    return {}
