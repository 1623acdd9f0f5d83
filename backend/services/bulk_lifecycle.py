"""Lifecycle actions on many staff at once (issue 16): each person on their own, by the
same rule as the single action (backend/services/lifecycle.py), so one refusal does not
undo the others. Not atomic by design: a batch of 100 resends is 100 transactions, each
holding the practice lock only for its own person."""

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from uuid import UUID

from tortoise.expressions import Q

from backend.config import Settings
from backend.models import StaffMember
from backend.services import activation_state, lifecycle
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode

MAX_BATCH = 100


@dataclass(frozen=True)
class Outcome:
    """What happened to one person: the member as changed, or why nothing changed."""

    staff: StaffMember | None
    error: DomainError | None


def check_batch(ids: Sequence[Hashable]) -> None:
    """From 1 to 100 ids, none twice; checked before anything is done, so a bad batch changes
    nothing. Ids are compared as given (two spellings of one id are two ids: the second
    simply finds the person in their new state)."""
    if not ids:
        raise DomainError.single(ErrorCode.INVALID, "Give at least one staff member.", ["ids"])
    if len(ids) > MAX_BATCH:
        raise DomainError.single(
            ErrorCode.INVALID,
            f"Give at most {MAX_BATCH} staff members at a time; {len(ids)} were given.",
            ["ids"],
        )
    seen: set[Hashable] = set()
    repeated = 0
    for given in ids:
        repeated += given in seen
        seen.add(given)
    if repeated:
        raise DomainError.single(
            ErrorCode.INVALID,
            f"Give each staff member once; {repeated} "
            f"{'id was' if repeated == 1 else 'ids were'} given more than once.",
            ["ids"],
        )


async def each(
    staff_ids: Sequence[UUID], action: Callable[[UUID], Awaitable[StaffMember]]
) -> list[Outcome]:
    """`action` for every person in turn, in the order given; one outcome per id."""
    outcomes: list[Outcome] = []
    for staff_id in staff_ids:
        try:
            outcomes.append(Outcome(staff=await action(staff_id), error=None))
        except DomainError as refused:
            outcomes.append(Outcome(staff=None, error=refused))
    return outcomes


@dataclass(frozen=True)
class ExpiredBatch:
    staff_ids: list[UUID]
    outcomes: list[Outcome]
    # Whether expired people remain after this batch (call again with after=last id).
    has_more: bool


async def resend_expired(
    *, caller: Caller, settings: Settings, after: UUID | None = None
) -> ExpiredBatch:
    """Resend to the next (at most 100) pending people of the practice whose link expired,
    in id order after `after`. Passing the last id on makes the walk finish even when some
    resends are refused (rate-limited people stay expired and would come first again)."""
    caller.require(Access.STAFF_WRITE)
    rows = StaffMember.filter(
        Q(practice_id=caller.practice_id) & activation_state.without_working_link()
    )
    if after is not None:
        rows = rows.filter(id__gt=after)
    found = await rows.order_by("id").limit(MAX_BATCH + 1).values_list("id", flat=True)
    staff_ids = [UUID(str(staff_id)) for staff_id in found[:MAX_BATCH]]
    outcomes = await each(
        staff_ids,
        lambda staff_id: lifecycle.resend_activation(
            caller=caller, staff_id=staff_id, settings=settings
        ),
    )
    return ExpiredBatch(staff_ids=staff_ids, outcomes=outcomes, has_more=len(found) > MAX_BATCH)
