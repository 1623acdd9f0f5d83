"""The garbage collector of a serving process, settled once its start-up is done.

The search's p99 tails (README, Performance: B3) were in this process, not in the SQL:
full collections that walked everything the process had loaded. About 125,000 objects
are made at start-up (the modules, the GraphQL schema, Tortoise's models and pool) and
live as long as the process, and each full collection walked them all: 58-64 ms inside
some request, a few times in every few thousand searches. gc.freeze() moves them out of
the collector's sight (CPython's advice for this case), so a collection walks only what
requests have left behind: the full ones then took 2-5 ms, the middle generation's at
most 2 ms instead of 5.

The thresholds stay CPython's: a young threshold of 10,000 instead of 700 made one
collection in ten as often, but each took 3.5 ms instead of 0.25 (the same time in all,
in longer pauses).
"""

import gc


def settle_after_start_up() -> None:
    """Collect what start-up left behind, then freeze the rest, which stays for good."""
    gc.collect()
    gc.freeze()
