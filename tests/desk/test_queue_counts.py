"""Queue counts stop at a cap, so they cost the same however long the history is."""

import pytest
from tests.desk.helpers import submit

from inhouse.desk.selectors import queue
from inhouse.desk.selectors.queue import Tally, queue_counts

pytestmark = pytest.mark.django_db


def test_counts_below_the_cap_are_exact(cast):
    for _ in range(3):
        submit(cast)

    counts = queue_counts(cast.alex, cast.service_desk)

    assert counts.by_status["new"] == 3
    assert str(counts.open) == "3"
    assert counts.total == 3


def test_a_count_past_the_cap_reads_as_at_least(cast, monkeypatch):
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    for _ in range(3):
        submit(cast)

    counts = queue_counts(cast.alex, cast.service_desk)

    assert counts.by_status["new"] == 2
    assert str(counts.by_status["new"]) == "2+"
    assert str(counts.open) == "2+"
    assert str(counts.by_status["closed"]) == "0"


def test_a_tally_adds_up_like_a_number():
    assert Tally(5) + Tally(4) == 9
    assert str(Tally(12_345, at_least=True)) == f"{queue.COUNT_CAP:,}+"
