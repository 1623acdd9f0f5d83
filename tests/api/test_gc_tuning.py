"""A serving process freezes what its start-up made (backend/gc_tuning); tests and tools,
which start many apps in one process, do not."""

import gc

import pytest

from backend import gc_tuning
from backend.app import create_app
from backend.config import Settings


async def test_only_a_serving_app_settles_its_collector(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: list[bool] = []
    monkeypatch.setattr(gc_tuning, "settle_after_start_up", lambda: settled.append(True))
    for serving in (False, True):
        app = create_app(settings, serving=serving)
        async with app.router.lifespan_context(app):
            assert settled == ([True] if serving else [])


def test_settling_freezes_what_is_alive() -> None:
    assert gc.get_freeze_count() == 0
    try:
        gc_tuning.settle_after_start_up()
        # Every module, class and function loaded so far: out of the collections' walk.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
