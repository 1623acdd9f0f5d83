"""The PINs the tests use. Each starts with 0, so the secret check (tests/secret_watch.py)
can find it standing alone in a log line without mistaking a year, a port, a process id or
a timestamp for it; none is guessable (validation refuses runs, repeats and common PINs)."""

STAFF_PIN = "0736"  # what tests/api/staff_factory.py gives new staff
OWNER_PIN = "0629"  # the practice owner's (tests/api/conftest.py)
WRONG_PIN = "0851"
NEW_PIN = "0593"
OTHER_PIN = "0418"

ALL = (STAFF_PIN, OWNER_PIN, WRONG_PIN, NEW_PIN, OTHER_PIN)
