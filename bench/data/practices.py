"""Practices and their own rows (practice, role, provider, office), deterministic from the seed."""

import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from backend.services.validation import is_valid_npi
from bench.data.names import (
    ACCENTED_FIRST_NAMES,
    ACCENTED_LAST_NAMES,
    FIRST_NAMES,
    LARGE_PRACTICE,
    LAST_NAMES,
    OFFICE_NAMES,
    PLACES,
    PRACTICE_KINDS,
    PRACTICE_ROLES,
    SMALL_PRACTICE,
    Weighted,
    ascii_slug,
)
from bench.data.spec import (
    ADMIN_ROLE,
    ANCHOR,
    DAY,
    LARGE_ADMIN,
    LARGE_STAFF,
    NURSE_ROLE,
    PRACTICE_COUNT,
    SEAT_LIMIT,
    SEAT_LIMITED_PRACTICES,
    SEED,
    SMALL_ADMIN,
    SMALL_STAFF,
    STAFF_COUNT,
    STAFF_ROLE,
    YEAR,
    _ts,
)


# ---------------------------------------------------------------------------- the data
@dataclass
class Practice:
    index: int
    id: uuid.UUID
    name: str
    kind: str  # "large", "small", "seat_limited" or "regular"
    plan: str
    size: int
    domain: str
    created_ts: float
    providers: list[uuid.UUID] = field(default_factory=list)
    offices: list[uuid.UUID] = field(default_factory=list)
    roles: list[uuid.UUID] = field(default_factory=list)  # the practice's two own roles
    generated: int = 0
    admin_username: str = ""
    admin_id: uuid.UUID | None = None


def npi(rng: random.Random) -> str:
    """A 10-digit NPI with a valid Luhn check digit over the 80840 prefix."""
    body = str(rng.choice((1, 2))) + "".join(str(rng.randrange(10)) for _ in range(8))
    for check in range(10):
        candidate = body + str(check)
        if is_valid_npi(candidate):  # the app's own check
            return candidate
    raise AssertionError("no Luhn check digit")  # pragma: no cover


class PracticeRows:
    """Deterministic rows: the same seed gives the same data on every run."""

    def __init__(
        self,
        *,
        password_hash: str,
        totp_secret_encrypted: str,
        system_roles: dict[str, uuid.UUID],
    ) -> None:
        self.rng = random.Random(SEED)
        self.password_hash = password_hash
        self.totp_secret_encrypted = totp_secret_encrypted
        self.admin_role = system_roles[ADMIN_ROLE]
        self.staff_role = system_roles[STAFF_ROLE]
        self.nurse_role = system_roles[NURSE_ROLE]
        self.first_names = Weighted.zipf(FIRST_NAMES, ACCENTED_FIRST_NAMES)
        self.last_names = Weighted.zipf(LAST_NAMES, ACCENTED_LAST_NAMES)
        self.slugs = {
            name: ascii_slug(name) for name in self.first_names.names + self.last_names.names
        }
        # Username prefix -> how many have been handed out (unique usernames).
        self.prefix_counts: dict[str, int] = {LARGE_ADMIN: 1, SMALL_ADMIN: 1}
        self.staff_total = 0
        self.status_counts: Counter[str] = Counter()
        self.two_factor_count = 0
        self.samples: list[tuple[Any, ...]] = []  # rows checked with the app's validators

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # ----------------------------------------------------------------- practices
    def practices(self) -> list[Practice]:
        rng = self.rng
        now = ANCHOR.timestamp()
        combos = [
            (f"{place} {kind}", f"{ascii_slug(place)}{slug}.example.org")
            for place in PLACES
            for kind, slug in PRACTICE_KINDS.items()
        ]
        rng.shuffle(combos)
        seat_sizes = [rng.randint(SEAT_LIMIT, 8) for _ in range(SEAT_LIMITED_PRACTICES)]
        regular_count = PRACTICE_COUNT - 2 - SEAT_LIMITED_PRACTICES
        regular_sizes = _shares(
            STAFF_COUNT - LARGE_STAFF - SMALL_STAFF - sum(seat_sizes), regular_count, rng
        )
        practices = [
            Practice(0, self.uuid4(), LARGE_PRACTICE[0], "large", "INVOICED", LARGE_STAFF,
                     LARGE_PRACTICE[1], now - 10 * YEAR),
            Practice(1, self.uuid4(), SMALL_PRACTICE[0], "small", "INVOICED", SMALL_STAFF,
                     SMALL_PRACTICE[1], now - 3 * YEAR),
        ]  # fmt: skip
        kinds = ["seat_limited"] * SEAT_LIMITED_PRACTICES + ["regular"] * regular_count
        sizes = seat_sizes + regular_sizes
        for index, (kind, size) in enumerate(zip(kinds, sizes, strict=True), start=2):
            name, domain = combos[index]
            plan = "INVOICED"
            if kind == "seat_limited":
                plan = rng.choice(("NON_INVOICED", "ASCLEPIUS"))
            created = now - rng.uniform(1, 9) * YEAR
            practices.append(Practice(index, self.uuid4(), name, kind, plan, size, domain, created))
        assert sum(p.size for p in practices) == STAFF_COUNT
        assert len(practices) == PRACTICE_COUNT
        return practices

    def practice_rows(self, practices: list[Practice]) -> dict[str, list[tuple[Any, ...]]]:
        """Rows of practice, role (the practices' own), provider and office."""
        rng = self.rng
        rows: dict[str, list[tuple[Any, ...]]] = {
            "practice": [], "role": [], "provider": [], "office": [],
        }  # fmt: skip
        for p in practices:
            created = _ts(p.created_ts)
            rows["practice"].append((p.id, p.name, p.plan, created))
            for name, permissions in rng.sample(PRACTICE_ROLES, 2):
                role_id = self.uuid4()
                p.roles.append(role_id)
                role_created = _ts(p.created_ts + rng.uniform(1, 30) * DAY)
                rows["role"].append(
                    (role_id, p.id, name, name.lower(), False, json.dumps(permissions),
                     role_created, role_created)
                )  # fmt: skip
            provider_count = {"large": 200, "small": 5, "seat_limited": rng.randint(1, 2)}.get(
                p.kind, rng.randint(3, 7)
            )
            for _ in range(provider_count):
                provider_id = self.uuid4()
                p.providers.append(provider_id)
                first, last = self.first_names.draw(rng), self.last_names.draw(rng)
                rows["provider"].append(
                    (provider_id, p.id, first, last, npi(rng) if rng.random() < 0.9 else None)
                )
            office_count = {"large": 20, "small": 3, "seat_limited": 1}.get(
                p.kind, rng.randint(1, 5)
            )
            names = [OFFICE_NAMES[0], *rng.sample(OFFICE_NAMES[1:], office_count - 1)]
            for name in names:
                office_id = self.uuid4()
                p.offices.append(office_id)
                rows["office"].append((office_id, p.id, name))
        return rows


def _shares(total: int, count: int, rng: random.Random, minimum: int = 20) -> list[int]:
    """`count` practice sizes adding up to `total`: a minimum each, the rest spread with
    log-normal weights (a few practices of thousands, most of a few hundred)."""
    weights = [rng.lognormvariate(0, 0.8) for _ in range(count)]
    spare = total - minimum * count
    scale = spare / sum(weights)
    sizes = [minimum + int(weight * scale) for weight in weights]
    for index in rng.sample(range(count), total - sum(sizes)):
        sizes[index] += 1
    return sizes
