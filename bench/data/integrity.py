"""The references checked with joins after the load (foreign-key triggers were skipped)."""

import asyncio

import asyncpg  # type: ignore[import-untyped]

from bench.data.progress import GenerateError

INTEGRITY_CHECKS = {
    "staff without their practice": """
        SELECT count(*) FROM staff_member s LEFT JOIN practice p ON p.id = s.practice_id
        WHERE p.id IS NULL""",
    "staff whose provider is not of their practice": """
        SELECT count(*) FROM staff_member s
        LEFT JOIN provider v ON v.id = s.primary_provider_id AND v.practice_id = s.practice_id
        WHERE v.id IS NULL""",
    "staff whose role is neither a system role nor of their practice": """
        SELECT count(*) FROM staff_member s
        LEFT JOIN role r ON r.id = s.role_id
             AND (r.practice_id IS NULL OR r.practice_id = s.practice_id)
        WHERE r.id IS NULL""",
    "office links to unknown staff or another practice's office": """
        SELECT count(*) FROM staff_member_office so
        LEFT JOIN staff_member s ON s.id = so.staff_member_id
        LEFT JOIN office o ON o.id = so.office_id AND o.practice_id = s.practice_id
        WHERE s.id IS NULL OR o.id IS NULL""",
    "restricted staff without an office": """
        SELECT count(*) FROM staff_member s
        WHERE s.restrict_offices
          AND NOT EXISTS (SELECT 1 FROM staff_member_office so WHERE so.staff_member_id = s.id)""",
    "practices over their seat limit": """
        SELECT count(*) FROM (
            SELECT p.id FROM practice p JOIN staff_member s ON s.practice_id = p.id
            WHERE p.plan IN ('NON_INVOICED', 'ASCLEPIUS') AND s.status IN ('PENDING', 'ACTIVE')
            GROUP BY p.id HAVING count(*) > 3) over_limit""",
    "practices without an active administrator": """
        SELECT count(*) FROM practice p WHERE NOT EXISTS (
            SELECT 1 FROM staff_member s WHERE s.practice_id = p.id AND s.status = 'ACTIVE'
              AND s.role_id = '00000000-0000-4000-8000-000000000001')""",
}


async def check_integrity(url: str) -> None:
    async def count(sql: str) -> int:
        connection = await asyncpg.connect(url)
        try:
            return int(await connection.fetchval(sql))
        finally:
            await connection.close()

    names = list(INTEGRITY_CHECKS)
    # Two at a time: two cores.
    results: list[int] = []
    for start in range(0, len(names), 2):
        batch = names[start : start + 2]
        results += await asyncio.gather(*(count(INTEGRITY_CHECKS[name]) for name in batch))
    failures = {name: n for name, n in zip(names, results, strict=True) if n}
    if failures:
        raise GenerateError(f"integrity checks failed: {failures}")
