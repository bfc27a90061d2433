"""Where a new request's priority comes from: the ITIL matrix, cell by cell, and the rule."""

import itertools

import pytest

from inhouse.catalog.models import Priority, PriorityFrom, Service
from inhouse.catalog.priority import Impact, Urgency, initial_priority, priority_for
from inhouse.core.errors import InvalidInput

# The matrix as docs/guide-admin.md and catalog/priority.py write it, row by row.
MATRIX = {
    ("high", "high"): "urgent",
    ("high", "medium"): "high",
    ("high", "low"): "normal",
    ("medium", "high"): "high",
    ("medium", "medium"): "normal",
    ("medium", "low"): "low",
    ("low", "high"): "normal",
    ("low", "medium"): "low",
    ("low", "low"): "low",
}


def test_the_matrix_covers_every_impact_and_urgency_exactly_once():
    assert set(MATRIX) == set(itertools.product(Impact.values, Urgency.values))


@pytest.mark.parametrize(("impact", "urgency"), list(MATRIX))
def test_each_cell_of_the_itil_matrix(impact, urgency):
    assert priority_for(Impact(impact), Urgency(urgency)) == MATRIX[impact, urgency]


def test_more_impact_or_more_urgency_never_lowers_the_priority():
    rank = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
    levels = ["low", "medium", "high"]
    for impact, urgency in MATRIX:
        here = rank.index(MATRIX[impact, urgency])
        for higher in levels[levels.index(impact) :]:
            assert rank.index(MATRIX[higher, urgency]) >= here
        for higher in levels[levels.index(urgency) :]:
            assert rank.index(MATRIX[impact, higher]) >= here


def _service(priority_from: str, default: str = "normal") -> Service:
    return Service(priority_from=priority_from, default_priority=default)


def test_a_service_asking_impact_and_urgency_takes_the_matrix():
    service = _service(PriorityFrom.IMPACT_URGENCY, default="low")
    assert initial_priority(service, chosen=None, impact="high", urgency="high") == "urgent"
    assert initial_priority(service, chosen=None, impact="low", urgency="medium") == "low"


@pytest.mark.parametrize(
    ("impact", "urgency", "errors"),
    [
        (None, "high", {"impact": "Say who is held up."}),
        ("high", "", {"urgency": "Say how soon it hurts."}),
        (None, None, {"impact": "Say who is held up.", "urgency": "Say how soon it hurts."}),
        ("huge", "high", {"impact": "Choose one of: high, medium, low."}),
        ("high", "HIGH", {"urgency": "Choose one of: high, medium, low."}),
    ],
)
def test_impact_and_urgency_are_both_needed_and_named_when_wrong(impact, urgency, errors):
    service = _service(PriorityFrom.IMPACT_URGENCY)
    with pytest.raises(InvalidInput) as caught:
        initial_priority(service, chosen=None, impact=impact, urgency=urgency)
    assert caught.value.fields == errors


def test_a_requester_who_may_choose_gets_their_choice_or_the_default():
    service = _service(PriorityFrom.REQUESTER, default="high")
    assert initial_priority(service, chosen="low", impact=None, urgency=None) == "low"
    assert initial_priority(service, chosen=None, impact=None, urgency=None) == "high"


def test_a_service_that_asks_nothing_starts_at_its_default():
    service = _service(PriorityFrom.DEFAULT, default="urgent")
    assert initial_priority(service, chosen=None, impact=None, urgency=None) == "urgent"
