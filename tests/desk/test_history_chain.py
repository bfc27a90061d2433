"""The tamper-evident history: every event chained to the one before, and
``inhouse verify-history`` finding whatever was changed, removed or slipped in
with raw SQL."""

import contextlib
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.desk.helpers import fresh, frozen_time, submit, upload
from tests.desk.test_concurrency import run_together
from tests.factories import make_service

from inhouse import cli
from inhouse.catalog.models import FieldKind
from inhouse.core.errors import DomainError
from inhouse.desk import events
from inhouse.desk.history_chain import (
    GENESIS,
    Tampering,
    check_histories,
    event_digest,
)
from inhouse.desk.models import Request, RequestEvent
from inhouse.desk.services import (
    add_attachment,
    add_blocker,
    add_comment,
    add_watcher,
    remove_blocker,
    transfer_request,
    transition_request,
    update_request,
)
from inhouse.desk.services.sweep import sweep_breaches

pytestmark = pytest.mark.django_db

EVENTS = RequestEvent._meta.db_table


def breaks() -> dict[str, tuple[Tampering, int, int | None]]:
    """Every broken request by reference: what was done, at which place, to which event."""
    return {
        history.reference: (
            history.first_break.tampering,
            history.first_break.sequence,
            history.first_break.event_id,
        )
        for history in check_histories(Request.objects.all())
        if history.first_break is not None
    }


def chain_of(request: Request) -> list[RequestEvent]:
    return list(RequestEvent.objects.filter(request=request).order_by("sequence"))


def lived(cast) -> Request:
    """A request's ordinary life: filed, answered, waited on, a file, resolved, closed."""
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="Looking into it")
    update_request(actor=cast.alex, request=request, expected_version=None, assignee=cast.alex)
    transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
    add_comment(actor=cast.rita, request=request, body="It is the third floor")
    add_attachment(actor=cast.rita, request=request, upload=upload())
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    add_comment(actor=cast.alex, request=request, body="Note for us", public=False)
    transition_request(actor=cast.alex, request=request, to="resolved", comment="Fixed")
    transition_request(actor=cast.rita, request=request, to="closed")
    return fresh(request)


def run(*arguments: str) -> tuple[int, str, str]:
    """``inhouse verify-history`` with ``arguments``: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_history", *arguments, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()


# --- the chain as written ---------------------------------------------------------------------


def test_a_requests_ordinary_life_is_one_whole_chain(cast):
    request = lived(cast)
    chain = chain_of(request)
    assert [event.sequence for event in chain] == list(range(1, len(chain) + 1))
    previous = GENESIS
    for event in chain:
        assert event.digest == event_digest(
            request_id=request.pk, sequence=event.sequence, actor_id=event.actor_id,
            kind=event.kind, data=event.data, is_public=event.is_public,
            created_at=event.created_at, previous=previous,
        )  # fmt: skip
        previous = event.digest
    # The request keeps the head, so even its newest event cannot go unnoticed.
    assert (request.history_length, request.history_digest) == (len(chain), previous)
    assert breaks() == {}


def test_the_digest_covers_every_field_and_the_previous_event():
    facts = {
        "request_id": 7, "sequence": 3, "actor_id": 2, "kind": "assigned",
        "data": {"assignee": [None, 2]}, "is_public": True,
        "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC), "previous": "ab" * 32,
    }  # fmt: skip
    digest = event_digest(**facts)
    assert len(digest) == 64
    changed = {
        "request_id": 8, "sequence": 4, "actor_id": None, "kind": "priority_changed",
        "data": {"assignee": [None, 3]}, "is_public": False,
        "created_at": datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC), "previous": "cd" * 32,
    }  # fmt: skip
    for key, value in changed.items():
        assert event_digest(**{**facts, key: value}) != digest, key
    # The same instant in another zone, and the same data in another key order, are equal.
    berlin = facts["created_at"].astimezone(ZoneInfo("Europe/Berlin"))
    assert event_digest(**{**facts, "created_at": berlin}) == digest
    assert event_digest(**{**facts, "data": dict(reversed(list(facts["data"].items())))}) == digest


def test_a_breach_found_by_the_sweep_takes_the_next_place(cast):
    with frozen_time() as clock:
        request = submit(cast)
        add_comment(actor=cast.rita, request=request, body="Any news?")
        clock.advance(days=30)
        assert sweep_breaches(now=clock.now) >= 1
    assert chain_of(request)[-1].kind == "breached"
    assert fresh(request).history_length == len(chain_of(request))
    assert breaks() == {}


def test_a_transfer_with_a_note_and_blockers_keep_the_chain(cast):
    request, blocker = submit(cast), submit(cast, subject="Toner order")
    add_blocker(actor=cast.alex, request=request, blocker=blocker, expected_version=None)
    remove_blocker(actor=cast.alex, request=request, blocker=blocker, expected_version=None)
    update_request(
        actor=cast.alex, request=request, expected_version=None, priority="urgent",
        external_ref="DEAL-7", blocked_by=[blocker],
    )  # fmt: skip
    transfer_request(
        actor=cast.alex, request=request, service=cast.cleaning, expected_version=None,
        note="Facilities handles this",
    )  # fmt: skip
    assert breaks() == {}
    assert fresh(request).history_length == 8


def test_files_answered_on_the_form_are_chained_after_the_filing(cast):
    service = make_service(
        cast.service_desk,
        "Broken screen",
        fields=[{"key": "photo", "label": "Photo", "kind": FieldKind.FILE}],
    )
    request = submit(cast, service=service, files={"photo": upload(b"jpeg", "screen.jpg")})
    assert [event.kind for event in chain_of(request)] == ["created", "attached"]
    assert fresh(request).history_length == 2
    assert breaks() == {}


# --- tampering with raw SQL -----------------------------------------------------------------------


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_events_data_changed_in_the_database_is_caught(cast):
    request = lived(cast)
    comment = chain_of(request)[1]
    _execute(f'UPDATE {EVENTS} SET data = \'{{"comment": 999, "public": true}}\' WHERE id = %s',  # noqa: S608
             [comment.pk])  # fmt: skip
    assert breaks() == {request.reference: (Tampering.CHANGED, 2, comment.pk)}


def test_a_middle_event_deleted_in_the_database_is_caught(cast):
    request = lived(cast)
    third = chain_of(request)[2]
    _execute(f"DELETE FROM {EVENTS} WHERE id = %s", [third.pk])  # noqa: S608
    assert breaks() == {request.reference: (Tampering.MISSING, 3, None)}


def test_the_newest_event_deleted_in_the_database_is_caught(cast):
    request = lived(cast)
    newest = chain_of(request)[-1]
    _execute(f"DELETE FROM {EVENTS} WHERE id = %s", [newest.pk])  # noqa: S608
    assert breaks() == {request.reference: (Tampering.MISSING, newest.sequence, None)}


def test_every_event_deleted_in_the_database_is_caught(cast):
    request = lived(cast)
    _execute(f"DELETE FROM {EVENTS} WHERE request_id = %s", [request.pk])  # noqa: S608
    assert breaks() == {request.reference: (Tampering.MISSING, 1, None)}


def _insert(request: Request, *, sequence: int, previous: str, forge_digest: bool) -> int:
    at = request.updated_at + timedelta(minutes=1)
    digest = (
        event_digest(
            request_id=request.pk,
            sequence=sequence,
            actor_id=None,
            kind="first_response",
            data={},
            is_public=True,
            created_at=at,
            previous=previous,
        )  # fmt: skip
        if forge_digest
        else "0" * 64
    )
    _execute(
        f"INSERT INTO {EVENTS} (request_id, actor_id, kind, data, is_public, created_at, "  # noqa: S608
        "sequence, digest) VALUES (%s, NULL, 'first_response', '{}', %s, %s, %s, %s)",
        [request.pk, True, connection.ops.adapt_datetimefield_value(at), sequence, digest],
    )
    return RequestEvent.objects.get(request=request, sequence=sequence, digest=digest).pk


def test_an_event_inserted_after_the_newest_is_caught_even_with_a_valid_digest(cast):
    request = lived(cast)
    inserted = _insert(
        request,
        sequence=request.history_length + 1,
        previous=request.history_digest,
        forge_digest=True,
    )
    assert breaks() == {
        request.reference: (Tampering.INSERTED, request.history_length + 1, inserted)
    }


def test_an_event_inserted_into_a_gap_is_caught(cast):
    request = lived(cast)
    second = chain_of(request)[1]
    _execute(f"DELETE FROM {EVENTS} WHERE id = %s", [second.pk])  # noqa: S608
    inserted = _insert(request, sequence=2, previous=chain_of(request)[0].digest, forge_digest=True)
    assert breaks() == {request.reference: (Tampering.CHANGED, 3, chain_of(request)[2].pk)}
    assert inserted == chain_of(request)[1].pk


def test_events_swapped_in_the_database_are_caught_as_out_of_order(cast):
    request = lived(cast)
    third, fourth = chain_of(request)[2:4]
    # Through a free place, as the unique (request, sequence) demands.
    for pk, sequence in ((third.pk, 1000), (fourth.pk, 3), (third.pk, 4)):
        _execute(f"UPDATE {EVENTS} SET sequence = %s WHERE id = %s", [sequence, pk])  # noqa: S608
    assert breaks() == {request.reference: (Tampering.OUT_OF_ORDER, 3, third.pk)}


def test_the_newest_event_rewritten_with_its_digest_is_caught_by_the_head(cast):
    request = lived(cast)
    newest = chain_of(request)[-1]
    forged = event_digest(
        request_id=request.pk, sequence=newest.sequence, actor_id=cast.ada.pk,
        kind=newest.kind, data=newest.data, is_public=newest.is_public,
        created_at=newest.created_at, previous=chain_of(request)[-2].digest,
    )  # fmt: skip
    _execute(f"UPDATE {EVENTS} SET actor_id = %s, digest = %s WHERE id = %s",  # noqa: S608
             [cast.ada.pk, forged, newest.pk])  # fmt: skip
    assert breaks() == {request.reference: (Tampering.CHANGED, newest.sequence, newest.pk)}


def test_only_the_tampered_request_is_reported(cast):
    untouched, tampered = lived(cast), lived(cast)
    _execute(f"UPDATE {EVENTS} SET is_public = %s WHERE id = %s",  # noqa: S608
             [False, chain_of(tampered)[0].pk])  # fmt: skip
    assert list(breaks()) == [tampered.reference]
    assert untouched.reference not in breaks()


# --- writing concurrently ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_events_appended_at_once_to_one_request_never_fork_the_chain(cast):
    request = submit(cast)
    people = [cast.alex, cast.ivy, cast.lena, cast.rita] * 3

    def write(n: int) -> None:
        if n % 4 == 3:
            add_watcher(actor=cast.rita, request=request, watcher=[cast.carl, cast.otto][n % 2])
        else:
            add_comment(actor=people[n], request=request, body=f"Comment {n}")

    _results, errors = run_together(write, len(people))
    assert errors == []
    chain = chain_of(request)
    assert [event.sequence for event in chain] == list(range(1, len(chain) + 1))
    assert fresh(request).history_length == len(chain)
    assert breaks() == {}


def test_a_writer_with_a_stale_head_cannot_take_a_place_already_taken(cast):
    """What the row lock guards against, refused by the database as well: two
    writers that read the same head would both claim the next place."""
    request = submit(cast)
    stale = fresh(request)
    add_comment(actor=cast.alex, request=request, body="First")
    with pytest.raises(IntegrityError), transaction.atomic():
        events.record(
            stale,
            events.first_response(request_id=stale.pk, actor_id=cast.alex.pk, at=stale.created_at),
        )
    assert breaks() == {}


# --- any life keeps a whole chain -------------------------------------------------------------

STEPS = st.lists(
    st.sampled_from(
        [
            "reply", "note", "requester_reply", "wait", "resume", "resolve", "reopen", "close",
            "assign", "priority", "watch", "file", "block", "unblock", "transfer", "sweep",
        ]
    ),
    max_size=14,
)  # fmt: skip


def _take(cast, request: Request, blocker: Request, step: str, clock) -> None:
    actions = {
        "reply": lambda: add_comment(actor=cast.alex, request=request, body="Reply"),
        "note": lambda: add_comment(actor=cast.ivy, request=request, body="Note", public=False),
        "requester_reply": lambda: add_comment(actor=cast.rita, request=request, body="More"),
        "wait": lambda: transition_request(
            actor=cast.alex, request=request, to="waiting_on_customer", comment="Which floor?"
        ),
        "resume": lambda: transition_request(actor=cast.alex, request=request, to="in_progress"),
        "resolve": lambda: transition_request(actor=cast.alex, request=request, to="resolved"),
        "reopen": lambda: transition_request(
            actor=cast.rita, request=request, to="in_progress", comment="Still broken"
        ),
        "close": lambda: transition_request(actor=cast.rita, request=request, to="closed"),
        "assign": lambda: update_request(
            actor=cast.alex, request=request, expected_version=None, assignee=cast.ivy
        ),
        "priority": lambda: update_request(
            actor=cast.alex, request=request, expected_version=None, priority="urgent"
        ),
        "watch": lambda: add_watcher(actor=cast.rita, request=request, watcher=cast.carl),
        "file": lambda: add_attachment(actor=cast.rita, request=request, upload=upload()),
        "block": lambda: add_blocker(
            actor=cast.alex, request=request, blocker=blocker, expected_version=None
        ),
        "unblock": lambda: remove_blocker(
            actor=cast.alex, request=request, blocker=blocker, expected_version=None
        ),
        "transfer": lambda: transfer_request(
            actor=cast.alex,
            request=request,
            service=cast.cleaning,
            expected_version=None,
            note="Theirs",
        ),  # fmt: skip
        "sweep": lambda: sweep_breaches(now=clock.advance(days=3)),
    }
    clock.advance(minutes=7)
    # A step the request's state refuses writes nothing, and the chain must show that too.
    with contextlib.suppress(DomainError):
        actions[step]()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_sequence_of_service_calls_keeps_every_chain_whole(cast, steps):
    with frozen_time() as clock:
        request, blocker = submit(cast), submit(cast, subject="Toner")
        for step in steps:
            _take(cast, request, blocker, step, clock)
    assert breaks() == {}
    assert fresh(request).history_length == len(chain_of(request))


# --- the command --------------------------------------------------------------------------------


def test_verify_history_exits_zero_with_a_summary_when_all_is_whole(cast):
    lived(cast)
    submit(cast)
    total = RequestEvent.objects.count()
    assert run() == (0, f"Checked 2 requests and {total} events: every history is whole.\n", "")


def test_verify_history_names_each_broken_request_and_exits_one(cast):
    changed, whole, emptied = lived(cast), lived(cast), lived(cast)
    first = chain_of(changed)[0]
    _execute(f"UPDATE {EVENTS} SET kind = 'assigned' WHERE id = %s", [first.pk])  # noqa: S608
    newest = chain_of(emptied)[-1]
    _execute(f"DELETE FROM {EVENTS} WHERE id = %s", [newest.pk])  # noqa: S608
    status, out, err = run()
    assert status == 1
    assert out.splitlines() == [
        f"{changed.reference}: changed at place 1: event {first.pk} does not match its digest",
        f"{emptied.reference}: missing at place {newest.sequence}: the history ends at event "
        f"{newest.sequence - 1} of {newest.sequence}",
    ]
    assert err == (
        f"Checked 3 requests and {RequestEvent.objects.count()} events: 2 with a broken history."
    )
    assert whole.reference not in out


def test_verify_history_checks_one_request_by_its_reference_or_a_former_one(cast):
    kept, moved = lived(cast), submit(cast)
    _execute(f"DELETE FROM {EVENTS} WHERE id = %s", [chain_of(kept)[1].pk])  # noqa: S608
    old_reference = moved.reference
    transfer_request(actor=cast.alex, request=moved, service=cast.cleaning, expected_version=None)
    assert run("--request", old_reference) == (
        0, "Checked 1 requests and 2 events: every history is whole.\n", "",
    )  # fmt: skip
    status, out, _err = run("--request", kept.reference)
    assert (status, out) == (1, f"{kept.reference}: missing at place 2: event 2 is missing "
                                f"(the next stored is 3, id {chain_of(kept)[1].pk})\n")  # fmt: skip


def test_verify_history_refuses_an_unknown_request_with_exit_two(cast):
    assert run("--request", "IT-99999") == (2, "", "No request 'IT-99999'.")


def test_inhouse_verify_history_exits_non_zero_from_the_command_line(cast, capsys):
    request = lived(cast)
    _execute(f"DELETE FROM {EVENTS} WHERE id = %s", [chain_of(request)[-1].pk])  # noqa: S608
    with pytest.raises(SystemExit) as exit_:
        cli.main(["inhouse", "verify-history"])
    assert exit_.value.code == 1
    assert f"{request.reference}: missing" in capsys.readouterr().out


# --- the migration that chained the history written before ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_history_written_before_it(cast):
    first, second = lived(cast), submit(cast)
    expected = {
        request.pk: [(event.pk, event.sequence, event.digest) for event in chain_of(request)]
        for request in (first, second)
    }
    executor = MigrationExecutor(connection)
    chained = next(
        key for key in executor.loader.graph.nodes if key[0] == "desk" and "history_chain" in key[1]
    )
    before = sorted(executor.loader.graph.node_map[chained].parents)[0].key
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([chained])
        for request in (first, second):
            assert [
                (event.pk, event.sequence, event.digest) for event in chain_of(request)
            ] == expected[request.pk]
            assert fresh(request).history_length == len(expected[request.pk])
            assert fresh(request).history_digest == expected[request.pk][-1][2]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    assert breaks() == {}
