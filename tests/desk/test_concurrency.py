"""Many hands at once: parallel submits and two agents saving the same version.

Each thread opens its own database connection, as a web worker would, and closes
it at the end so the test database can be dropped.
"""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from tests.desk.helpers import START, fresh, frozen_time, submit

from inhouse.core.errors import StaleVersion
from inhouse.desk.models import IdempotencyRecord, Notification, Request, RequestEvent, TeamCounter
from inhouse.desk.services import submission_digest, submit_request_once, update_request
from inhouse.desk.services.sweep import sweep_breaches
from inhouse.sla.models import Clock

THREADS = 20


def run_together(work: Callable[[int], Any], count: int) -> tuple[list[Any], list[Exception]]:
    """Run ``work(n)`` in ``count`` threads released at the same moment."""
    start = threading.Barrier(count)
    results: list[Any] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            start.wait()
            outcome = work(n)
            with lock:
                results.append(outcome)
        # Whatever a thread raises must reach the test's assertions, not vanish with it.
        except Exception as error:  # noqa: BLE001
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_to_one_team_get_unique_consecutive_references(cast):
    results, errors = run_together(
        lambda n: submit(cast, subject=f"Parallel {n}").reference, THREADS
    )
    assert errors == []
    expected = {f"IT-{1000 + n}" for n in range(THREADS)}
    assert set(results) == expected
    assert set(Request.objects.values_list("reference", flat=True)) == expected
    assert TeamCounter.objects.get(team=cast.service_desk).last_number == 1000 + THREADS - 1
    assert RequestEvent.objects.filter(kind="created").count() == THREADS
    assert Clock.objects.count() == 2 * THREADS


@pytest.mark.django_db(transaction=True)
def test_two_agents_saving_the_same_version_one_wins_the_other_is_stale(cast):
    request = submit(cast)
    changes = [
        (cast.alex, {"priority": "urgent"}),
        (cast.ivy, {"assignee": cast.ivy}),
    ]

    def save(n: int) -> str:
        actor, change = changes[n]
        update_request(actor=actor, request=request, expected_version=1, **change)
        return actor.full_name

    results, errors = run_together(save, 2)
    assert len(results) == 1
    assert [type(error) for error in errors] == [StaleVersion]
    assert errors[0].current == 2
    stored = fresh(request)
    assert stored.version == 2
    if results == [cast.alex.full_name]:
        assert (stored.priority, stored.assignee) == ("urgent", None)
    else:
        assert (stored.priority, stored.assignee) == ("normal", cast.ivy)
    assert RequestEvent.objects.filter(request=request).count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_with_one_idempotency_key_make_one_request(cast):
    def retry(_: int) -> tuple[int, bool]:
        request, created = submit_request_once(
            idempotency_key="retry-1",
            actor=cast.rita,
            digest=submission_digest(service="printer", subject="Printer"),
            service=cast.printer,
            subject="Printer",
        )
        return request.pk, created

    results, errors = run_together(retry, 5)
    assert errors == []
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, False, True]
    assert list(Request.objects.values_list("reference", flat=True)) == ["IT-1000"]
    assert RequestEvent.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_mark_each_breach_once(cast):
    with frozen_time():
        for n in range(3):
            submit(cast, subject=f"Printer {n}")
    later = START + timedelta(days=2)

    results, errors = run_together(lambda _: sweep_breaches(now=later), 2)
    assert errors == []
    assert sum(results) == 6
    assert RequestEvent.objects.filter(kind="breached").count() == 6
    assert Notification.objects.filter(kind="breached").count() == 6
