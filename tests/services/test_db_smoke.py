from backend.models import Role


async def test_migrations_seed_the_system_roles(db: str) -> None:
    names = sorted(str(n) for n in await Role.filter(is_system=True).values_list("name", flat=True))
    assert names == ["Nurse (System)", "Practice Administrator (System)", "Staff (System)"]
