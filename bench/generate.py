"""Benchmark data: 2,000 practices and 1,000,000 staff in PostgreSQL.

    .venv/bin/python -m bench.generate [--database-url URL] [--force]

Creates the database if it is missing, applies the project's own migrations (the schema
is exactly what they create), then loads rows with COPY (asyncpg
`copy_records_to_table`), never one ORM call per row:

- 2,000 practices: one "large" practice of 50,000 staff (`large.admin`), one "small" of
  500 (`small.admin`), 100 small NON_INVOICED/ASCLEPIUS practices within their 3-seat
  limit, and the rest (INVOICED) sharing the remainder, 1,000,000 staff in all;
- about 80% ACTIVE, 10% PENDING, 10% INACTIVE staff with the three system roles and two
  roles of their practice, a primary provider (about 5 per practice, 200 in the large one)
  and 1 or 2 offices (about 3 per practice, 20 in the large one; `restrict_offices` is
  true for everyone, as the app stores offices only for restricted staff);
- names from a few hundred first and last names (Zipf-weighted, a few accented ones),
  unique usernames (first.last, flast, firstl, first_last, numbered when taken; some
  capitalised) and emails on the practice's domain or a personal one, all under
  example.com/.net/.org;
- every password (and PIN hash) is one argon2id hash of `Bench-Password-2026`, computed
  once with the app's own `hash_secret` in the production profile.

Everything is deterministic (seeded). What was generated is recorded in the
`bench_fixture` table (read it with `bench.fixture.load_fixture`); a second run finds it
and returns at once. `--force` drops and recreates the database.

While staff rows are copied, the secondary indexes of `staff_member` and
`staff_member_office` are dropped and afterwards rebuilt from their own catalogue
definitions (checked identical), and foreign-key triggers are skipped for the loading
sessions (`session_replication_role = replica`); the references are then checked with
joins instead. (Loading with the indexes in place, `--keep-indexes`, took 87 s for the
staff instead of 22 s plus 17 s of index builds.) Finally `VACUUM (FREEZE, ANALYZE)` and
a `CHECKPOINT`. Columns that later migrations add (NOT NULL, no database default) get the
model's default. About a minute in all on a 2-core machine.
"""

import argparse
import asyncio
import base64
import contextlib
import json
import random
import re
import sys
import time
import unicodedata
import uuid
from bisect import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from backend.services.validation import is_valid_npi
from bench.fixture import (
    DEFAULT_DATABASE_URL,
    FIXTURE_TABLE,
    SPEC_VERSION,
    connect_url,
    database_name,
    is_complete,
    read_fixture,
)

SEED = f"staff-accounts-bench-v{SPEC_VERSION}"
PRACTICE_COUNT = 2_000
STAFF_COUNT = 1_000_000
LARGE_STAFF = 50_000
SMALL_STAFF = 500
SEAT_LIMITED_PRACTICES = 100  # NON_INVOICED / ASCLEPIUS: at most 3 pending or active staff
SEAT_LIMIT = 3
PASSWORD = "Bench-Password-2026"
LARGE_ADMIN = "large.admin"
SMALL_ADMIN = "small.admin"
# A fixed "now", so that the data is the same on every run.
ANCHOR = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HOUR = 3600.0
DAY = 24 * HOUR
YEAR = 365 * DAY

ADMIN_ROLE = "Practice Administrator (System)"
STAFF_ROLE = "Staff (System)"
NURSE_ROLE = "Nurse (System)"
ADMIN_ROLE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")

CHUNK_ROWS = 10_000  # staff rows per COPY
COPY_CONNECTIONS = 2
TERM_LENGTHS = (1, 2, 3, 5, 10)
RARE_MAX = 5  # a "rare" term matches at most this many rows of its practice
LOADED_TABLES = ("practice", "role", "provider", "office", "staff_member", "staff_member_office")
REBUILT_TABLES = ("staff_member", "staff_member_office")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "backend" / "migrations"

STAFF_COLUMNS = (
    "id", "practice_id", "role_id", "primary_provider_id", "first_name", "last_name",
    "care_team_role", "care_team_id_type", "care_team_id_number", "username", "username_key",
    "email", "password_hash", "pin_hash", "cell_phone", "home_phone", "email_update_enabled",
    "restrict_offices", "daily_billing_report", "status", "two_factor_enabled",
    "totp_secret_encrypted", "totp_last_step", "search_text", "created_at", "updated_at",
    "activated_at", "deactivated_at",
)  # fmt: skip
LINK_COLUMNS = ("staff_member_id", "office_id")
PRACTICE_COLUMNS = ("id", "name", "plan", "created_at")
ROLE_COLUMNS = (
    "id", "practice_id", "name", "name_key", "is_system", "permissions", "created_at",
    "updated_at",
)  # fmt: skip
PROVIDER_COLUMNS = ("id", "practice_id", "first_name", "last_name", "npi")
OFFICE_COLUMNS = ("id", "practice_id", "name")


# --------------------------------------------------------------------------- name lists
def _words(text: str, separator: str | None = None) -> list[str]:
    return [word.strip() for word in text.split(separator)]


# Roughly by frequency: earlier names are drawn more often (Zipf-like weights).
FIRST_NAMES = _words(
    """
James Mary Michael Jennifer John Linda Robert Patricia David Elizabeth William Susan Richard
Jessica Joseph Sarah Thomas Karen Christopher Lisa Charles Nancy Daniel Sandra Matthew Ashley
Anthony Emily Mark Donna Steven Michelle Andrew Carol Paul Amanda Joshua Melissa Kevin Deborah
Brian Stephanie Kenneth Rebecca Timothy Laura Ryan Sharon Jason Cynthia Jeffrey Kathleen Jacob
Amy Eric Angela Nicholas Anna Jonathan Brenda Justin Emma Scott Pamela Brandon Nicole Benjamin
Samantha Samuel Katherine Gregory Christine Alexander Rachel Patrick Catherine Frank Maria
Raymond Heather Jack Diane Dennis Julie Jerry Olivia Tyler Victoria Aaron Kelly Jose Megan Adam
Lauren Nathan Christina Henry Andrea Zachary Hannah Peter Jacqueline Kyle Martha Ethan Teresa
Walter Sara Noah Madison Jeremy Kathryn Christian Abigail Keith Alice Roger Julia Terry Grace
Sean Sophia Austin Denise Carl Amber Arthur Natalie Lawrence Danielle Dylan Brittany Jesse
Charlotte Jordan Marie Bryan Kayla Gabriel Alexis Logan Lori Juan Isabella Alan Diana Elijah
Rose Vincent Tiffany Mason Ava Philip Mia Luis Chloe Carlos Erin Miguel Vanessa Antonio Monica
Luke Ellen Liam Leah Owen Ruby Isaac Nora Caleb Lily Hunter Zoe Connor Audrey Evan Claire Ian
Naomi Marcus Valerie Darius Jasmine Andre Tamika Malik Keisha Jamal Latoya Tyrone Imani DeShawn
Ebony Wei Mei Jun Yan Hiroshi Yuki Kenji Akiko Minh Linh Huy Thao Raj Priya Arjun Ananya Vikram
Deepa Rahul Neha Mohammed Fatima Ahmed Aisha Omar Layla Ali Zainab Hassan Yasmin Ibrahim Mariam
Kwame Ama Chinedu Ngozi Emeka Adaeze Tunde Folake Diego Camila Javier Lucia Alejandro Valentina
Mateo Gabriela Santiago Daniela Rafael Ximena Pedro Carmen Jorge Rosa Ricardo Elena Fernando
Isabel Sergio Paula Ivan Olga Dmitri Natasha Sven Ingrid Lars Astrid Piotr Katarzyna Giovanni
Francesca Marco Giulia Siobhan Declan Aoife Quentin Beatrix Xavier Yvonne
"""
)

LAST_NAMES = _words(
    """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton
Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington
Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Hunt Hicks Holmes Palmer Wagner Black
Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson
Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce
Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson
Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews
Richards Contreras Willis Carpenter Lawrence Sandoval Wang Li Zhang Liu Yang Huang Zhao Wu Zhou
Xu Singh Shah Khan Ali Ahmed Hussain Chowdhury Das Reddy Iyer Nair Sharma Gupta Kumar Le Pham
Hoang Vu Dang Bui Do Ngo Park Choi Jung Kang Cho Yoon Tanaka Suzuki Watanabe Takahashi Okafor
Adeyemi Mensah Okonkwo Abubakar Diallo Kowalski Nowak Novak Ivanov Petrov Rossi Russo Ferrari
Esposito Bianchi Romano Colombo O'Brien O'Connor O'Neill McCarthy Byrne Schneider Fischer Weber
Becker Schulz Hoffmann Larsen Nielsen Andersen Johansson Lindqvist Quigley Zimmerman
"""
)

# Names with letters outside ASCII, drawn rarely: rare search terms, and usernames that
# must be folded to ASCII.
ACCENTED_FIRST_NAMES = _words(
    """
Zoë Chloé Renée André Björn Søren Łukasz Małgorzata Dóra Siobhán Íñigo Núria Göran Jürgen
Zoltán Ágnes Thérèse François Hélène Jérôme Ömer Çağla Şebnem Đorđe
"""
)
ACCENTED_LAST_NAMES = _words(
    """
Müller Núñez Peña Muñoz Ibáñez Østergaard Łukaszewicz Söderberg Kovačević Đokić Håkansson
Gonçalves Villaseñor Dvořák Çelik Öztürk
"""
)
ACCENTED_SHARE = 0.0025

PLACES = _words(
    """
Oak Ridge|Maple Grove|Cedar Falls|Pine Valley|Riverside|Lakeside|Hillcrest|Brookside|Fairview|
Greenwood|Springfield|Madison|Franklin|Clinton|Georgetown|Salem|Bristol|Chester|Dover|Arlington|
Ashland|Burlington|Clayton|Dayton|Hudson|Jackson|Kingston|Lexington|Milford|Newport|Oxford|
Plymouth|Princeton|Richmond|Sheffield|Troy|Vernon|Warren|Winchester|Ashford|Bayview|Bellevue|
Birchwood|Bluewater|Briarwood|Canyon|Cherry Hill|Clearwater|Cloverdale|Cobblestone|
Copper Ridge|Crestview|Deer Park|Eagle Rock|Elmwood|Evergreen|Fox Run|Glenwood|Golden Valley|
Granite Bay|Harbor Point|Hawthorne|Heritage|Highland|Hollybrook|Ironwood|Juniper|Kensington|
Lakewood|Laurel|Liberty|Lincoln Park|Magnolia|Meadowbrook|Mesa|Mill Creek|Mission|Montclair|
Mountain View|North Shore|Northgate|Oakmont|Orchard|Palisades|Parkside|Pebble Creek|
Pleasant Hill|Prairie|Quail Run|Redwood|Ridgeview|Rolling Hills|Rosewood|Sandstone|Sequoia|
Shady Grove|Silver Lake|Somerset|South Bay|Spring Valley|Stonebridge|Summit|Sunnyvale|Sunrise|
Sycamore|Tall Oaks|Timberline|Twin Lakes|Union|Valley Forge|Vista|Walnut Creek|Waterford|
West End|Westfield|Westwood|Whispering Pines|Wildwood|Windsor|Woodland|Aspen|Beacon|Blue Ridge|
Coastal|Crescent|Delta|Edgewater|Fairfield|Garden City|Grand Prairie|Hampton|Horizon|Keystone|
Lakeshore|Landmark|Meridian|Pacific|Peachtree|Pioneer|Red Oak|Seaside|Sierra|Southgate|
Sterling|Tidewater|Trinity|Valley View
""",
    separator="|",
)

# Kinds of practice and the short form used in the practice's email domain.
PRACTICE_KINDS = {
    "Family Medicine": "fm",
    "Family Practice": "fp",
    "Internal Medicine": "im",
    "Pediatrics": "peds",
    "Health Center": "hc",
    "Medical Group": "mg",
    "Primary Care": "pc",
    "Clinic": "clinic",
    "Women's Health": "wh",
    "Cardiology": "cardio",
    "Dermatology": "derm",
    "Orthopedics": "ortho",
    "Medical Associates": "ma",
    "Community Health": "ch",
    "Urgent Care": "uc",
}
LARGE_PRACTICE = ("Great Lakes Health Network", "greatlakeshealth.example.org")
SMALL_PRACTICE = ("Willow Creek Family Practice", "willowcreekfp.example.org")
PERSONAL_DOMAINS = (
    "mail.example.com", "inbox.example.net", "post.example.org", "webmail.example.com",
    "fastmail.example.net", "home.example.org",
)  # fmt: skip

OFFICE_NAMES = (
    "Main Office", "North Clinic", "South Clinic", "East Clinic", "West Clinic",
    "Downtown Office", "Uptown Office", "Riverside Office", "Lakeside Office", "Hillside Clinic",
    "Central Office", "Medical Plaza", "Harbor Office", "Park Avenue Office", "Main Street Clinic",
    "Oak Street Office", "Maple Avenue Clinic", "Pine Street Office", "Elm Street Clinic",
    "Cedar Office", "Summit Office", "Valley Clinic", "Airport Office", "Mall Clinic",
)  # fmt: skip

# Practice roles; permissions in the catalogue order of backend.models.Permission.
PRACTICE_ROLES = (
    ("Front Desk", ["SCHEDULING", "PATIENT_INFORMATION", "PROFILES"]),
    ("Billing Specialist", ["REPORTING", "BILLING", "SUBMIT_CLAIMS"]),
    ("Office Manager", ["MANAGE_ACCOUNTS", "SCHEDULING", "SETTINGS", "PROFILES", "REPORTING"]),
    ("Medical Assistant", ["SCHEDULING", "CHARTING", "PATIENT_INFORMATION"]),
    (
        "Prescriber",
        ["CHARTING", "PATIENT_INFORMATION", "SIGN_CLINICAL_NOTES", "ELECTRONIC_PRESCRIBING"],
    ),
    ("Scheduler", ["SCHEDULING"]),
)

NURSE_CARE_TEAM_ROLES = (
    "REGISTERED_NURSE", "LICENSED_PRACTICAL_NURSE", "NURSE_PRACTITIONER", "CHRONIC_CARE_NURSE",
)  # fmt: skip
OTHER_CARE_TEAM_ROLES = (
    "MEDICAL_ASSISTANT", "CARE_COORDINATOR", "CASE_MANAGER", "HEALTH_COACH", "SOCIAL_WORKER",
    "DIETITIAN",
)  # fmt: skip
AREA_CODES = ("212", "312", "415", "617", "713", "206", "303", "404", "503", "602", "216", "919")

_ASCII_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})


class Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.elapsed:7.1f}s] {message}", flush=True)


class GenerateError(RuntimeError):
    """Stops the generator with a message for the person running it."""


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


@dataclass
class Weighted:
    names: list[str]
    cumulative: list[float]

    @classmethod
    def zipf(cls, common: Sequence[str], accented: Sequence[str]) -> "Weighted":
        names = list(dict.fromkeys(common))
        weights = [1.0 / (rank + 10) for rank in range(len(names))]
        accented_weight = sum(weights) * ACCENTED_SHARE / (1 - ACCENTED_SHARE) / len(accented)
        names += accented
        weights += [accented_weight] * len(accented)
        cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        return cls(names, cumulative)

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def ascii_slug(name: str) -> str:
    """The username form of a name: ASCII letters only ("Søren" -> "soren", "O'Brien" ->
    "obrien")."""
    folded = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    return re.sub(r"[^a-z]", "", folded.encode("ascii", "ignore").decode().lower())


def npi(rng: random.Random) -> str:
    """A 10-digit NPI with a valid Luhn check digit over the 80840 prefix."""
    body = str(rng.choice((1, 2))) + "".join(str(rng.randrange(10)) for _ in range(8))
    for check in range(10):
        candidate = body + str(check)
        if is_valid_npi(candidate):  # the app's own check
            return candidate
    raise AssertionError("no Luhn check digit")  # pragma: no cover


def _ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class Generator:
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

    # --------------------------------------------------------------------- staff
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


# ------------------------------------------------------------------------ database
def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _admin_execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(_admin_url(url))
    try:
        await connection.execute(sql)
    except asyncpg.ObjectInUseError:
        users = await connection.fetch(
            "SELECT pid, application_name, client_addr::text FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database_name(url),
        )
        raise GenerateError(
            f"database {database_name(url)!r} is in use by {len(users)} other session(s) "
            f"({[dict(user) for user in users]}); close them and run again"
        ) from None
    finally:
        await connection.close()


async def drop_database(url: str, log: Progress) -> None:
    await _admin_execute(url, f"DROP DATABASE IF EXISTS {_ident(database_name(url))}")
    log(f"dropped database {database_name(url)!r}")


async def create_database(url: str, log: Progress) -> None:
    await _admin_execute(url, f"CREATE DATABASE {_ident(database_name(url))}")
    log(f"created database {database_name(url)!r}")


def migration_files() -> list[str]:
    return sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py"))


async def applied_migrations(connection: Any) -> list[str]:
    if not await connection.fetchval("SELECT to_regclass('tortoise_migrations') IS NOT NULL"):
        return []
    rows = await connection.fetch(
        "SELECT name FROM tortoise_migrations WHERE app = 'models' ORDER BY name"
    )
    return [row["name"] for row in rows]


async def apply_migrations(database_url: str, log: Progress) -> None:
    """The project's own migrations, exactly as `staff-accounts migrate` applies them."""
    from backend.db import apply_migrations as apply

    await apply(database_url)
    log("applied the project's migrations (backend.db.apply_migrations)")


@dataclass(frozen=True)
class Columns:
    """What one table is loaded with: the generated columns, then columns that later
    migrations added (NOT NULL, no database default), filled with the model's default."""

    table: str
    generated: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [*self.generated, *self.defaults]

    def rows(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.defaults:
            return rows
        extra = tuple(self.defaults.values())
        return [row + extra for row in rows]


GENERATED_COLUMNS = {
    "practice": PRACTICE_COLUMNS,
    "role": ROLE_COLUMNS,
    "provider": PROVIDER_COLUMNS,
    "office": OFFICE_COLUMNS,
    "staff_member": STAFF_COLUMNS,
    "staff_member_office": LINK_COLUMNS,
}
TABLE_MODELS = {
    "practice": "Practice",
    "role": "Role",
    "provider": "Provider",
    "office": "Office",
    "staff_member": "StaffMember",
}


async def table_columns(connection: Any, table: str) -> Columns:
    """Fails when a generated column is gone, or a required one has no model default."""
    rows = await connection.fetch(
        "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1",
        table,
    )
    generated = GENERATED_COLUMNS[table]
    gone = sorted(set(generated) - {row["column_name"] for row in rows})
    if gone:
        raise GenerateError(f"{table} has no columns {gone} any more: update bench/generate.py")
    defaults = {
        row["column_name"]: model_default(table, row["column_name"])
        for row in rows
        if row["is_nullable"] == "NO"
        and row["column_default"] is None
        and row["column_name"] not in generated
    }
    return Columns(table, generated, defaults)


def model_default(table: str, column: str) -> Any:
    """The default the app's model gives `column` (Tortoise defaults live in Python, not
    in the database), as a value for COPY."""
    from enum import Enum

    from backend import models

    model = getattr(models, TABLE_MODELS.get(table, ""), None)
    meta: Any = getattr(model, "_meta", None)
    projection: dict[str, str] = meta.fields_db_projection if meta is not None else {}
    for name, db_column in projection.items():
        if db_column != column:
            continue
        default = meta.fields_map[name].default
        value = default() if callable(default) else default
        if callable(default) and not isinstance(value, list | dict):
            value = None  # a per-row default (a uuid4, a clock): cannot be shared
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, list | dict):
            value = json.dumps(value)
        if value is not None:
            return value
    raise GenerateError(
        f"{table}.{column} is required and has no usable model default: generate it in "
        "bench/generate.py (and bump SPEC_VERSION)"
    )


@dataclass(frozen=True)
class IndexDefinition:
    table: str
    name: str
    indexdef: str
    constraint: str | None  # e.g. "UNIQUE (email)" when the index backs a constraint

    def drop_sql(self) -> str:
        if self.constraint:
            return f"ALTER TABLE {_ident(self.table)} DROP CONSTRAINT {_ident(self.name)}"
        return f"DROP INDEX {_ident(self.name)}"

    def create_sql(self) -> str:
        if self.constraint:
            return (
                f"ALTER TABLE {_ident(self.table)} ADD CONSTRAINT {_ident(self.name)} "
                f"{self.constraint}"
            )
        return self.indexdef


async def secondary_indexes(connection: Any) -> list[IndexDefinition]:
    rows = await connection.fetch(
        """
        SELECT t.relname AS table_name, i.relname AS index_name,
               pg_get_indexdef(i.oid) AS indexdef,
               pg_get_constraintdef(c.oid) AS constraintdef
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        LEFT JOIN pg_constraint c
               ON c.conindid = i.oid AND c.conrelid = t.oid AND c.contype IN ('u', 'x')
        WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1::text[])
          AND NOT x.indisprimary
        ORDER BY t.relname, i.relname
        """,
        list(REBUILT_TABLES),
    )
    return [
        IndexDefinition(row["table_name"], row["index_name"], row["indexdef"], row["constraintdef"])
        for row in rows
    ]


async def loader_connection(url: str, *, maintenance: bool = False) -> Any:
    connection = await asyncpg.connect(url)
    await connection.execute("SET synchronous_commit = off")
    if maintenance:
        await connection.execute("SET maintenance_work_mem = '1GB'")
    else:
        # Skip the foreign-key triggers while loading (superuser only); the references are
        # checked with joins afterwards.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("SET session_replication_role = replica")
    return connection


async def copy_rows(connection: Any, columns: Columns, rows: list[tuple[Any, ...]]) -> None:
    await connection.copy_records_to_table(
        columns.table, records=columns.rows(rows), columns=columns.names
    )


async def load_staff(
    url: str,
    generator: Generator,
    practices: list[Practice],
    columns: dict[str, Columns],
    log: Progress,
) -> int:
    """Generates staff in this process while COPY_CONNECTIONS sessions load chunks."""
    connections = [await loader_connection(url) for _ in range(COPY_CONNECTIONS)]
    queue: asyncio.Queue[tuple[list[tuple[Any, ...]], list[tuple[uuid.UUID, uuid.UUID]]] | None] = (
        asyncio.Queue(maxsize=COPY_CONNECTIONS * 2)
    )
    links_total = 0

    async def consume(connection: Any) -> None:
        nonlocal links_total
        while (item := await queue.get()) is not None:
            staff, links = item
            await copy_rows(connection, columns["staff_member"], staff)
            await copy_rows(connection, columns["staff_member_office"], links)
            links_total += len(links)

    consumers = [asyncio.create_task(consume(c)) for c in connections]
    loaded_at = time.monotonic()
    try:
        next_report = 100_000
        for chunk in generator.staff_chunks(practices):
            await _put(queue, chunk, consumers)
            if generator.staff_total >= next_report:
                rate = generator.staff_total / (time.monotonic() - loaded_at)
                log(f"staff {generator.staff_total:>9,} / {STAFF_COUNT:,} ({rate:,.0f} rows/s)")
                next_report += 100_000
        for _ in consumers:
            await _put(queue, None, consumers)
        await asyncio.gather(*consumers)
    finally:
        for task in consumers:
            task.cancel()
        for connection in connections:
            await connection.close()
    return links_total


async def _put(queue: asyncio.Queue[Any], item: Any, consumers: list[asyncio.Task[None]]) -> None:
    """Queue an item, but stop at once if a loader failed (instead of waiting forever)."""
    put = asyncio.ensure_future(queue.put(item))
    done, _ = await asyncio.wait({put, *consumers}, return_when=asyncio.FIRST_COMPLETED)
    if put not in done:
        put.cancel()
        for task in consumers:
            error = task.exception() if task.done() else None
            if error is not None:
                raise error
        raise GenerateError("a loading session stopped early")


async def run_parallel(url: str, statements: list[list[str]]) -> None:
    """Each list of statements in order on its own session, the lists side by side."""

    async def run(batch: list[str]) -> None:
        connection = await loader_connection(url, maintenance=True)
        try:
            for sql in batch:
                await connection.execute(sql)
        finally:
            await connection.close()

    await asyncio.gather(*(run(batch) for batch in statements if batch))


def _split_work(statements: list[tuple[float, str]], sessions: int) -> list[list[str]]:
    """Longest first, each to the least loaded session."""
    batches: list[list[str]] = [[] for _ in range(sessions)]
    loads = [0.0] * sessions
    for cost, sql in sorted(statements, key=lambda item: -item[0]):
        target = loads.index(min(loads))
        batches[target].append(sql)
        loads[target] += cost
    return batches


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


# --------------------------------------------------------------------- search terms
def _searchable(term: str) -> bool:
    """A term the app searches for as it is: lower-case, one field, no LIKE wildcards, and
    unchanged by the app's whitespace normalisation."""
    return (
        term == term.lower()
        and "\n" not in term
        and not any(char in term for char in "%_\\")
        and " ".join(term.split()) == term
    )


def _word_like(term: str) -> bool:
    return all(char.isalnum() for char in term) and any(char.isalpha() for char in term)


def _document_frequency(texts: list[str], length: int) -> Counter[str]:
    """How many texts contain each substring of `length` characters."""
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update({text[i : i + length] for i in range(len(text) - length + 1)})
    return frequency


def choose_terms(texts: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """For each length a common term (matches many rows) and a rare one (a handful), from
    substring counts over the practice's search_text (a row counts once per term).

    Common terms of up to 5 characters are the most frequent ones in people's names (as
    typed into the search box; every email contains "example", so whole-text counts
    would pick fragments of that); the 10-character one is the most frequent in the whole
    text, a part of the practice's email domain. Rare terms prefer letters only, from names,
    chosen at random (seeded) among those matching 2 to RARE_MAX rows.
    """
    names = [text.split("\n", 1)[0] for text in texts]
    chosen: list[dict[str, Any]] = []
    for length in TERM_LENGTHS:
        usable = {t: n for t, n in _document_frequency(texts, length).items() if _searchable(t)}
        letters = {term: n for term, n in usable.items() if term.isalpha()}
        words = {term: n for term, n in usable.items() if _word_like(term)}
        in_names = _document_frequency(names, length)
        name_letters = {term: n for term, n in letters.items() if term in in_names}
        if length <= 5 and name_letters:
            common = min(name_letters, key=lambda term: (-in_names[term], term))
        else:
            pool = letters or words or usable
            common = min(pool, key=lambda term: (-pool[term], term))
        # Short rare terms are mostly accented letters (every ASCII pair is frequent in a
        # large practice); longer ones are ASCII, such as a part of a username.
        pools = [name_letters, letters, words]
        if length >= 5:
            pools = [{t: n for t, n in pool.items() if t.isascii()} for pool in pools] + pools
        rare: str | None = None
        for candidates_pool, low, high in [(pool, 2, RARE_MAX) for pool in pools] + [
            (pool, 1, 1) for pool in pools
        ]:
            candidates = sorted(t for t, n in candidates_pool.items() if low <= n <= high)
            if candidates:
                rare = rng.choice(candidates)
                break
        if rare is None:
            rare = min(usable, key=lambda term: (usable[term], term))
        for kind, term in (("common", common), ("rare", rare)):
            chosen.append({"length": length, "kind": kind, "term": term, "matches": usable[term]})
    return chosen


async def practice_texts(url: str, practice: Practice) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT search_text FROM staff_member WHERE practice_id = $1", practice.id
        )
    finally:
        await connection.close()
    return [row["search_text"] for row in rows]


def choose_practice_terms(texts: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    return {key: choose_terms(t, random.Random(f"{SEED}:terms")) for key, t in texts.items()}


async def check_terms(
    connection: Any, practice: Practice, terms: list[dict[str, Any]], log: Progress
) -> None:
    for term in terms:
        # The app's own predicate (Tortoise's `contains` on PostgreSQL).
        matches = await connection.fetchval(
            "SELECT count(*) FROM staff_member WHERE practice_id = $1 "
            "AND CAST(search_text AS VARCHAR) LIKE $2",
            practice.id,
            f"%{term['term']}%",
        )
        if matches != term["matches"]:
            raise GenerateError(f"term {term} matches {matches} rows in SQL")
    log(
        f"search terms of the {practice.kind} practice (rows matched): "
        + ", ".join(f"{t['term']!r}={t['matches']}" for t in terms)
    )


# ---------------------------------------------------------------------- generation
async def practice_summary(connection: Any, practice: Practice) -> dict[str, Any]:
    rows = await connection.fetch(
        "SELECT status, count(*) AS n FROM staff_member WHERE practice_id = $1 GROUP BY status",
        practice.id,
    )
    usernames = await connection.fetch(
        "SELECT username FROM staff_member WHERE practice_id = $1 AND status = 'ACTIVE' "
        "AND NOT two_factor_enabled AND username <> $2 ORDER BY username_key LIMIT 20",
        practice.id,
        practice.admin_username,
    )
    return {
        "practice_id": str(practice.id),
        "name": practice.name,
        "plan": practice.plan,
        "admin_username": practice.admin_username,
        "admin_id": str(practice.admin_id),
        "staff_count": practice.size,
        "status_counts": {row["status"]: row["n"] for row in rows},
        "providers": len(practice.providers),
        "offices": len(practice.offices),
        "email_domain": practice.domain,
        # Active staff without two-factor sign-in (the role varies), for sign-in loads.
        "active_usernames": [row["username"] for row in usernames],
    }


async def generate(database_url: str, log: Progress, *, keep_indexes: bool) -> dict[str, Any]:
    from backend.config import load_settings
    from backend.services.secrets import hash_secret, verify_secret
    from backend.services.totp_crypto import encrypt_secret

    url = connect_url(database_url)
    await apply_migrations(database_url, log)
    connection = await asyncpg.connect(url)
    try:
        columns = {table: await table_columns(connection, table) for table in LOADED_TABLES}
        defaults = {table: c.defaults for table, c in columns.items() if c.defaults}
        if defaults:
            log(f"columns filled with the models' defaults: {defaults}")
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {FIXTURE_TABLE} (key text PRIMARY KEY, value jsonb)"
        )
        await connection.execute(f"DELETE FROM {FIXTURE_TABLE}")
        existing = await connection.fetchval("SELECT count(*) FROM staff_member")
        if existing:
            raise GenerateError(f"staff_member already has {existing} rows; use --force")
        roles = {
            row["name"]: row["id"]
            for row in await connection.fetch("SELECT id, name FROM role WHERE is_system")
        }
        if roles.get(ADMIN_ROLE) != ADMIN_ROLE_ID or not {STAFF_ROLE, NURSE_ROLE} <= set(roles):
            raise GenerateError(f"unexpected system roles after migrating: {roles}")

        # One hash for everyone, made by the app in the production profile.
        production = load_settings(
            {
                "APP_ENV": "production",
                "DATABASE_URL": database_url,
                "MAIL_FROM": "Staff Accounts <no-reply@staff.example.org>",
                "SMTP_HOST": "smtp.invalid",
                "PUBLIC_BASE_URL": "https://staff.invalid",
                "TWO_FACTOR_KEY": base64.urlsafe_b64encode(b"\0" * 32).decode(),
            }
        )
        password_hash = await hash_secret(PASSWORD, production)
        if not await verify_secret(password_hash, PASSWORD, production):
            raise GenerateError("the app does not verify the generated password hash")
        log(f"hashed the password once ({production.password_hash_profile} profile, argon2id)")
        # Two-factor staff share one TOTP secret, encrypted with the key the app uses
        # outside production when TWO_FACTOR_KEY is not set.
        rng = random.Random(f"{SEED}:totp")
        totp_secret = base64.b32encode(rng.randbytes(20)).decode()
        totp_encrypted = encrypt_secret(totp_secret, load_settings({}))

        generator = Generator(
            password_hash=password_hash,
            totp_secret_encrypted=totp_encrypted,
            system_roles=roles,
        )
        practices = generator.practices()
        small_tables = generator.practice_rows(practices)
        for table, rows in small_tables.items():
            await copy_rows(connection, columns[table], rows)
        log("loaded " + ", ".join(f"{len(rows):,} {table}" for table, rows in small_tables.items()))

        indexes = [] if keep_indexes else await secondary_indexes(connection)
        for index in indexes:
            await connection.execute(index.drop_sql())
        if indexes:
            log(
                f"dropped {len(indexes)} secondary indexes for the load: "
                f"{[index.name for index in indexes]}"
            )
    finally:
        await connection.close()

    load_started = time.monotonic()
    links = await load_staff(url, generator, practices, columns, log)
    load_seconds = time.monotonic() - load_started
    log(f"loaded {generator.staff_total:,} staff and {links:,} office links in {load_seconds:.1f}s")
    npis = [row[4] for row in small_tables["provider"] if row[4]]
    check_with_app_code(generator.samples, npis[:500])
    log(f"checked {len(generator.samples):,} sample rows with the app's validators")
    large, small = practices[0], practices[1]
    # Substring counts take a few seconds of Python: done in a thread while PostgreSQL
    # builds the indexes.
    texts = {"large": await practice_texts(url, large), "small": await practice_texts(url, small)}
    choosing = asyncio.create_task(asyncio.to_thread(choose_practice_terms, texts))

    index_started = time.monotonic()
    # Rough cost: the trigram index dominates. (Nothing to do with --keep-indexes.)
    costs = {"gin": 10.0, "staff_member": 2.0}
    work = [
        (costs["gin"] if " gin " in i.indexdef else costs.get(i.table, 1.0), i.create_sql())
        for i in indexes
    ]
    if indexes:
        await run_parallel(url, _split_work(work, COPY_CONNECTIONS))
        connection = await asyncpg.connect(url)
        try:
            rebuilt = await secondary_indexes(connection)
        finally:
            await connection.close()
        if rebuilt != indexes:
            raise GenerateError(f"rebuilt indexes differ:\n{indexes}\n{rebuilt}")
        log(f"rebuilt the {len(indexes)} indexes (identical definitions) in "
            f"{time.monotonic() - index_started:.1f}s")  # fmt: skip

    await check_integrity(url)
    log("references checked (practice, provider, role, offices, seat limits, administrators)")

    vacuum_started = time.monotonic()
    vacuum = [(10.0 if t == "staff_member" else 1.0, f"VACUUM (FREEZE, ANALYZE) {t}")
              for t in LOADED_TABLES]  # fmt: skip
    await run_parallel(url, _split_work(vacuum, COPY_CONNECTIONS))
    log(f"VACUUM (FREEZE, ANALYZE) in {time.monotonic() - vacuum_started:.1f}s")

    connection = await asyncpg.connect(url)
    try:
        # As the app does: a generic plan of the prepared count would ignore the practice
        # and the term (seconds per count instead of milliseconds).
        await connection.execute("SET plan_cache_mode = force_custom_plan")
        terms = await choosing
        await check_terms(connection, large, terms["large"], log)
        await check_terms(connection, small, terms["small"], log)
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {_ident(table)}")
            for table in LOADED_TABLES
        }
        fixture: dict[str, Any] = {
            "large": await practice_summary(connection, large),
            "small": await practice_summary(connection, small),
            "password": {
                "password": PASSWORD,
                "hash_profile": production.password_hash_profile,
                "pin_hash": "the same hash as the password: no 4-digit PIN unlocks",
            },
            "two_factor": {
                "staff": generator.two_factor_count,
                "totp_secret": totp_secret,
                "encrypted_with": "the development key (APP_ENV development or test, "
                "no TWO_FACTOR_KEY)",
            },
            "search_terms": terms,
            "spec": {
                "version": SPEC_VERSION,
                "seed": SEED,
                "complete": True,
                "practices": PRACTICE_COUNT,
                "staff": STAFF_COUNT,
                "large_staff": LARGE_STAFF,
                "small_staff": SMALL_STAFF,
                "seat_limited_practices": SEAT_LIMITED_PRACTICES,
                "anchor": ANCHOR.isoformat(),
                "counts": counts,
                "status_counts": dict(generator.status_counts),
                "model_defaults": defaults,
                "migrations": await applied_migrations(connection),
                "generated_at": datetime.now(UTC).isoformat(),
                "seconds": round(log.elapsed, 1),
            },
        }
        async with connection.transaction():
            await connection.execute(f"DELETE FROM {FIXTURE_TABLE}")
            # The spec row last: only a complete fixture carries `complete`.
            for key, value in fixture.items():
                await connection.execute(
                    f"INSERT INTO {FIXTURE_TABLE} (key, value) VALUES ($1, $2::jsonb)",
                    key,
                    json.dumps(value),
                )
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
    return fixture


async def main_async(database_url: str, *, force: bool, keep_indexes: bool = False) -> int:
    log = Progress()
    url = connect_url(database_url)
    name = database_name(url)
    if name == "postgres":
        raise GenerateError("refusing to fill the 'postgres' database; name another one")
    if force:
        await drop_database(url, log)
    try:
        connection = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        await create_database(url, log)
    else:
        try:
            fixture = await read_fixture(connection)
            if is_complete(fixture):
                missing = [m for m in migration_files() if m not in await applied_migrations(
                    connection
                )]  # fmt: skip
                if missing:
                    # As in production: new migrations run on the existing rows.
                    try:
                        await apply_migrations(database_url, log)
                    except Exception as error:
                        raise GenerateError(
                            f"new migrations {missing} fail on the bench data: {error!r}. "
                            "A migration must work on populated tables (production has "
                            "rows too); --force regenerates the data from scratch"
                        ) from error
                    print(f"applied new migrations to the bench data: {missing}")
                print(f"bench data present in {name!r} (python -m bench.generate --force to redo)")
                return 0
            tables = await connection.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
        finally:
            await connection.close()
        if fixture is not None:
            log("bench data incomplete or of an older spec: generating it again")
            await drop_database(url, log)
            await create_database(url, log)
        elif tables:
            raise GenerateError(
                f"database {name!r} has {tables} tables but no {FIXTURE_TABLE}: it was not "
                "made by bench.generate; pass --force to drop it, or name another database"
            )
    fixture = await generate(database_url, log, keep_indexes=keep_indexes)
    spec = fixture["spec"]
    print("\nsummary")
    for table, count in spec["counts"].items():
        print(f"  {table:<22} {count:>10,} rows")
    print(f"  staff by status        {spec['status_counts']}")
    for key in ("large", "small"):
        practice = fixture[key]
        print(
            f"  {key} practice {practice['practice_id']}: {practice['staff_count']:,} staff, "
            f"admin {practice['admin_username']!r}, {practice['status_counts']}"
        )
    print(f"  password {PASSWORD!r} for every account")
    print(f"  generated in {log.elapsed:.1f}s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}"
    )
    parser.add_argument("--force", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="load with every index in place (slower; to compare with the default)",
    )
    args = parser.parse_args(argv)
    try:
        connect_url(args.database_url)
    except ValueError as error:
        parser.error(str(error))
    try:
        return asyncio.run(
            main_async(args.database_url, force=args.force, keep_indexes=args.keep_indexes)
        )
    except GenerateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot reach PostgreSQL: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
