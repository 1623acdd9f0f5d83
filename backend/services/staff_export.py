"""The staff list as CSV: the columns an administrator sees (never a secret or a hash),
cells made safe for spreadsheets, the rows streamed in keyset batches under the list's own
filters and order, and each export audited."""

import csv
import io
import unicodedata
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from backend.models import StaffMember
from backend.services import audit, staff_directory
from backend.services.caller import Access, Caller
from backend.services.staff_directory import StaffQuery

AUDIT_ACTION = "staff.export"

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# Injection"); tab and carriage return too, which some strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _when(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _provider(staff: StaffMember) -> str:
    return f"{staff.primary_provider.first_name} {staff.primary_provider.last_name}"


# (header, cell) in order. Only what the Staff page shows: no password or PIN hash, no
# TOTP secret, no external id of an identity provider.
COLUMNS: tuple[tuple[str, Callable[[StaffMember], str]], ...] = (
    ("First name", lambda s: s.first_name),
    ("Last name", lambda s: s.last_name),
    ("Username", lambda s: s.username),
    ("Email", lambda s: s.email),
    ("Status", lambda s: s.status.value),
    ("Role", lambda s: s.role.name),
    (
        "Primary provider",
        lambda s: f"{s.primary_provider.first_name} {s.primary_provider.last_name}",
    ),
    ("Offices", lambda s: "; ".join(sorted(office.name for office in s.offices))),
    ("Two-factor", lambda s: "yes" if s.two_factor_enabled else "no"),
    ("Cell phone", lambda s: s.cell_phone or ""),
    ("Home phone", lambda s: s.home_phone or ""),
    ("Created", lambda s: _when(s.created_at)),
    ("Last sign-in", lambda s: _when(s.last_sign_in_at)),
)


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading
    single quote (OWASP's advice), which the spreadsheet hides. Compared in NFKC form, as
    some spreadsheets read a full-width equals or plus sign (U+FF1D, U+FF0B) as the ASCII one."""
    start = unicodedata.normalize("NFKC", value[:1])
    return f"'{value}" if start.startswith(FORMULA_STARTS) else value


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def filename() -> str:
    return "staff.csv"


def audit_details(query: StaffQuery) -> dict[str, object]:
    """The filters and order of an export, as its audit entry records them."""
    details: dict[str, object] = {"orderBy": query.order.key}
    if query.status is not None:
        details["status"] = query.status.value
    search = staff_directory.normalise_search(query.search)
    if search:
        details["search"] = search
    if query.role_id is not None:
        details["roleId"] = str(query.role_id)
    if query.two_factor_enabled is not None:
        details["twoFactorEnabled"] = query.two_factor_enabled
    if query.link_expired is not None:
        details["linkExpired"] = query.link_expired
    if query.login_locked is not None:
        details["loginLocked"] = query.login_locked
    return details


async def export_lines(
    *, caller: Caller, query: StaffQuery, batch_size: int | None = None
) -> AsyncIterator[str]:
    """The CSV text: a header line, then the rows batch by batch. The first batch is read
    before the header is given, so a refusal (permission, filters) comes before anything is
    sent, while a status can still say why. Audited once the last row is out, with the
    count; a stream cut short (the client left) is audited as INCOMPLETE."""
    caller.require(Access.STAFF_READ)
    batches = staff_directory.export_staff(
        caller=caller, query=query, batch_size=batch_size or staff_directory.EXPORT_BATCH_SIZE
    )
    empty: list[StaffMember] = []
    first = await anext(batches, empty)
    rows = 0
    outcome = "INCOMPLETE"
    try:
        yield _line([header for header, _ in COLUMNS])
        batch = first
        while batch:
            rows += len(batch)  # counted as handed to the server, before it is sent
            yield "".join(_line([cell(staff) for _, cell in COLUMNS]) for staff in batch)
            batch = await anext(batches, empty)
        outcome = "SUCCESS"
    finally:
        await batches.aclose()
        await audit.record(
            action=AUDIT_ACTION,
            practice_id=caller.practice_id,
            actor_id=caller.staff_id,
            api_client_id=caller.api_client_id,
            outcome=outcome,
            meta=caller.meta,
            details={**audit_details(query), "rowCount": rows, "format": "csv"},
        )
