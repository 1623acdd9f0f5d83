"""The garbage collector of a serving process, set once its start-up is done.

The search's p99 tails (README, Performance: B3) were in this process, not in the SQL:
collections that walked everything the process had loaded. About 125,000 objects are
made at start-up (the modules, the GraphQL schema, Tortoise's models and pool) and live
as long as the process; a full collection walked them all, tens of milliseconds inside
some request. gc.freeze() moves them out of the collector's sight (CPython's own advice
for this case), so a collection walks only what requests have left behind.
"""

import gc

# Young objects collected after this many net allocations (CPython's default is 700): a
# GraphQL request allocates thousands, so the default collected several times in each
# one. Each collection of the young generation costs about what it holds, so fewer, larger
# ones cost the same in all and interrupt less often; the older generations keep
# CPython's ratios.
YOUNG_THRESHOLD = 700
OLDER_RATIOS = (10, 10)


def settle_after_start_up() -> None:
    """Collect what start-up left behind, then freeze the rest, which stays for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_RATIOS)
