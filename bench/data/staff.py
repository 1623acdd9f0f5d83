"""Staff rows and their office links (the same random stream as the practices), checked
with the app's own validators."""

import uuid
from collections.abc import Iterator
from typing import Any

from bench.data.names import (
    AREA_CODES,
    NURSE_CARE_TEAM_ROLES,
    OTHER_CARE_TEAM_ROLES,
    PERSONAL_DOMAINS,
)
from bench.data.practices import Practice, PracticeRows, npi
from bench.data.progress import GenerateError
from bench.data.spec import (
    ANCHOR,
    CHUNK_ROWS,
    DAY,
    HOUR,
    LARGE_ADMIN,
    SEAT_LIMIT,
    SMALL_ADMIN,
    STAFF_COLUMNS,
    _ts,
)


class Generator(PracticeRows):
    """The practices' rows (bench/data/practices.py), then the staff's from the same
    random stream."""

    def staff_chunks(
        self, practices: list[Practice]
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[uuid.UUID, uuid.UUID]]]]:
        """Staff rows and their office links, CHUNK_ROWS staff at a time. The practices are
        interleaved at random, as rows of a long-lived database are: one practice's staff
        are spread over the whole table, not stored side by side."""
        labels: list[int] = []
        for p in practices:
            labels += [p.index] * p.size
        self.rng.shuffle(labels)
        staff: list[tuple[Any, ...]] = []
        links: list[tuple[uuid.UUID, uuid.UUID]] = []
        row = self.staff_row
        for label in labels:
            staff.append(row(practices[label], links))
            if len(staff) == CHUNK_ROWS:
                yield staff, links
                staff, links = [], []
        if staff:
            yield staff, links

    def staff_row(self, p: Practice, links: list[tuple[uuid.UUID, uuid.UUID]]) -> tuple[Any, ...]:
        rng = self.rng
        random_ = rng.random
        k = p.generated
        p.generated += 1
        staff_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        first = self.first_names.draw(rng)
        last = self.last_names.draw(rng)
        username = ""
        if k == 0:  # every practice has an active administrator, created with it
            status = "ACTIVE"
            role = self.admin_role
            if p.kind in ("large", "small"):
                username = LARGE_ADMIN if p.kind == "large" else SMALL_ADMIN
        else:
            if p.kind == "seat_limited":
                status = "INACTIVE"
                if k < SEAT_LIMIT:
                    status = "ACTIVE" if random_() < 0.8 else "PENDING"
            else:
                draw = random_()
                status = "ACTIVE" if draw < 0.8 else "PENDING" if draw < 0.9 else "INACTIVE"
            draw = random_()
            if draw < 0.01:
                role = self.admin_role
            elif draw < 0.46:
                role = self.staff_role
            elif draw < 0.76:
                role = self.nurse_role
            else:
                role = p.roles[0] if draw < 0.88 else p.roles[1]

        # Username: first.last, flast, firstl or first_last; a number when taken.
        if not username:
            first_slug, last_slug = self.slugs[first], self.slugs[last]
            draw = random_()
            if draw < 0.5:
                prefix = f"{first_slug}.{last_slug}"
            elif draw < 0.8:
                prefix = f"{first_slug[0]}{last_slug}"
            elif draw < 0.9:
                prefix = f"{first_slug}{last_slug[0]}"
            else:
                prefix = f"{first_slug}_{last_slug}"
            count = self.prefix_counts.get(prefix, 0) + 1
            self.prefix_counts[prefix] = count
            username = prefix if count == 1 else f"{prefix}{count}"
            if random_() < 0.08:  # some people type theirs capitalised
                username = username.title()
        username_key = username.lower()
        domain = p.domain if random_() < 0.8 else rng.choice(PERSONAL_DOMAINS)
        email = f"{username_key}@{domain}"

        # Care team: most nurses, a few others.
        care_role = care_type = care_number = None
        if role == self.nurse_role and random_() < 0.6:
            care_role = rng.choice(NURSE_CARE_TEAM_ROLES)
            draw = random_()
            if draw < 0.5:
                care_type, care_number = "NCSBN_ID", str(rng.randint(10_000, 99_999_999))
            elif draw < 0.8:
                care_type, care_number = "NPI", npi(rng)
        elif random_() < 0.1:
            care_role = rng.choice(OTHER_CARE_TEAM_ROLES)

        cell = home = None
        if random_() < 0.85:
            cell = f"+1{rng.choice(AREA_CODES)}555{rng.randint(100, 199):04d}"
        if random_() < 0.25:
            home = f"+1{rng.choice(AREA_CODES)}555{rng.randint(100, 199):04d}"

        # Dates consistent with the status (seconds since the epoch).
        now = ANCHOR.timestamp()
        activated: float | None = None
        deactivated: float | None = None
        if k == 0:
            created = p.created_ts + 60
            activated = created + HOUR
        elif status == "PENDING":
            created = max(now - rng.uniform(0, 45) * DAY, p.created_ts + DAY)
        else:
            created = rng.uniform(p.created_ts + DAY, now - 4 * DAY)
            if status == "ACTIVE" or random_() < 0.85:
                activated = created + rng.uniform(0.2 * HOUR, 72 * HOUR)
            if status == "INACTIVE":
                # Deactivated after activation, or a pending activation that was cancelled.
                since = activated if activated is not None else created
                deactivated = rng.uniform(since + HOUR, now)
        updated = max(created, activated or created, deactivated or created)

        # Enrolled in two-factor sign-in: only people who could sign in; never the bench
        # administrators, who sign in with the password alone.
        two_factor = False
        if status != "PENDING" and not username.endswith(".admin"):
            two_factor = random_() < 0.17

        offices = p.offices
        if len(offices) > 1 and random_() < 0.35:
            chosen = rng.sample(offices, 2)
        else:
            chosen = [offices[rng.randrange(len(offices))]]
        for office_id in chosen:
            links.append((staff_id, office_id))

        full_name = f"{first} {last}"
        row = (
            staff_id, p.id, role, p.providers[rng.randrange(len(p.providers))], first, last,
            care_role, care_type, care_number, username, username_key, email,
            self.password_hash, self.password_hash, cell, home, random_() < 0.9,
            True,  # restricted to the offices above: the app keeps offices only then
            random_() < 0.05, status, two_factor,
            self.totp_secret_encrypted if two_factor else None, None,
            "\n".join((full_name, username, email)).lower(),
            _ts(created), _ts(updated),
            _ts(activated) if activated is not None else None,
            _ts(deactivated) if deactivated is not None else None,
        )  # fmt: skip
        if k == 0 and p.kind in ("large", "small"):
            p.admin_username, p.admin_id = username, staff_id
        self.staff_total += 1
        self.status_counts[status] += 1
        self.two_factor_count += two_factor
        if self.staff_total % 499 == 1 or username.endswith(".admin"):
            self.samples.append(row)
        return row


# ------------------------------------------------------------- checks with app code
def check_with_app_code(samples: list[tuple[Any, ...]], provider_npis: list[str]) -> None:
    """Sample rows must be what the app itself would store: its validators return them
    unchanged and its search_text gives the same text."""
    from backend.models import StaffMember
    from backend.services import validation
    from backend.services.staff_rules import search_text

    column = {name: i for i, name in enumerate(STAFF_COLUMNS)}
    for row in samples:
        value = {name: row[i] for name, i in column.items()}
        problems = []
        if validation.clean_username(value["username"]) != value["username"]:
            problems.append("username")
        if validation.username_key(value["username"]) != value["username_key"]:
            problems.append("username_key")
        if validation.clean_email(value["email"]) != value["email"]:
            problems.append("email")
        for name in ("first_name", "last_name"):
            if validation.clean_name(value[name], field=name) != value[name]:
                problems.append(name)
        for name in ("cell_phone", "home_phone"):
            if validation.clean_phone(value[name], field=name) != value[name]:
                problems.append(name)
        care = (value["care_team_id_type"], value["care_team_id_number"])
        if validation.clean_care_team_id(*care) != care:
            problems.append("care_team_id")
        staff = StaffMember(
            first_name=value["first_name"],
            last_name=value["last_name"],
            username=value["username"],
            email=value["email"],
        )
        if search_text(staff) != value["search_text"]:
            problems.append("search_text")
        if problems:
            raise GenerateError(f"generated row fails the app's rules ({problems}): {row}")
    for number in provider_npis:
        if not validation.is_valid_npi(number):
            raise GenerateError(f"generated NPI {number} is not valid")
