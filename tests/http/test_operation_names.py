"""The trusted operation names are exactly those our own clients send: the SPA's and the
README walk-through's."""

import re

from backend.http.operation_names import (
    ANONYMOUS,
    KNOWN_OPERATION_NAMES,
    NONE,
    OTHER,
    operation_label,
)
from backend.spa import FRONTEND_DIR

_NAMED_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([A-Za-z_]\w*)\s*[({]")


def test_the_known_names_are_those_of_the_spa_and_the_readme() -> None:
    spa = {
        name
        for source in (FRONTEND_DIR / "src").rglob("*.js")
        for name in _NAMED_OPERATION.findall(source.read_text())
    }
    readme = (FRONTEND_DIR.parent / "README.md").read_text()
    walk_through = set(re.findall(r'"query": "(?:query|mutation) ([A-Za-z_]\w*)', readme))
    assert spa and walk_through
    assert spa | walk_through == KNOWN_OPERATION_NAMES


def test_labels() -> None:
    assert operation_label("StaffPage", executed=True) == "StaffPage"
    assert operation_label("Whatever", executed=True) == OTHER
    assert operation_label(None, executed=True) == ANONYMOUS
    assert operation_label("StaffPage", executed=False) == NONE
