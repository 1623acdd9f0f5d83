from datetime import timedelta

import pytest

from backend.mail.claims import MAX_RETRY_DELAY, retry_delay


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 5), (2, 10), (3, 20), (4, 40), (10, 2560), (11, 3600)]
)
def test_retries_back_off_exponentially_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert retry_delay(attempts, 5.0) == timedelta(seconds=seconds)


def test_a_huge_attempt_count_stays_at_the_cap() -> None:
    assert retry_delay(10_000, 5.0) == MAX_RETRY_DELAY == timedelta(hours=1)
