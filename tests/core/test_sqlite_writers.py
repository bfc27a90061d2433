"""SQLite's write transactions take turns through the lock file beside the database.

``inhouse.core.sqlite`` holds an exclusive ``flock`` from ``BEGIN IMMEDIATE`` to
``COMMIT`` or ``ROLLBACK``; a writer that finds it taken retries at a fine interval
instead of sleeping on SQLite's own schedule. These tests look at the lock from a
descriptor of their own, as another process would.
"""

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from inhouse.core.sqlite.base import BACKSTOP_CHECKPOINT_PAGES, CHECKPOINT_EVERY
from inhouse.desk.models import TeamCounter
from inhouse.org.models import Team

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer lock"),
]


@contextmanager
def lock_file() -> Iterator[int]:
    connection.ensure_connection()
    descriptor = os.open(f"{connection.settings_dict['NAME']}-writer", os.O_RDWR)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def is_taken(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    return False


def test_a_write_transaction_holds_the_turn_until_it_commits():
    with lock_file() as other_process:
        assert not is_taken(other_process)
        with transaction.atomic():
            assert is_taken(other_process)
            with transaction.atomic():  # a savepoint keeps the same turn
                assert is_taken(other_process)
            assert is_taken(other_process)
        assert not is_taken(other_process)


def test_a_rolled_back_transaction_gives_the_turn_back():
    with lock_file() as other_process:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            Team.objects.create(name="Doomed", slug="doomed", reference_prefix="DOOM")
            1 / 0  # noqa: B018
        assert not is_taken(other_process)
    assert not Team.objects.filter(slug="doomed").exists()


def test_writes_outside_a_transaction_take_no_turn():
    with lock_file() as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        try:
            # Autocommit writes meet SQLite's own lock only; nothing here waits.
            Team.objects.create(name="Quick", slug="quick", reference_prefix="QUICK")
        finally:
            fcntl.flock(other_process, fcntl.LOCK_UN)
    assert Team.objects.filter(slug="quick").exists()


def test_a_writer_waits_for_the_turn_another_process_holds():
    began = threading.Event()
    with lock_file() as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)

        def write() -> None:
            try:
                with transaction.atomic():
                    began.set()
            finally:
                connections.close_all()

        writer = threading.Thread(target=write)
        writer.start()
        try:
            # The writer cannot begin while the turn is held elsewhere.
            assert not began.wait(timeout=0.3)
        finally:
            fcntl.flock(other_process, fcntl.LOCK_UN)
        writer.join(timeout=30)
    assert began.is_set()


def test_many_writers_at_once_all_get_their_turn():
    team = Team.objects.create(name="Counted", slug="counted", reference_prefix="COUNT")
    TeamCounter.objects.create(team=team, last_number=0)
    writers, increments = 8, 25
    start = threading.Barrier(writers)
    errors: list[Exception] = []

    def write() -> None:
        try:
            start.wait()
            for _ in range(increments):
                with transaction.atomic():
                    counter = TeamCounter.objects.get(team=team)
                    counter.last_number += 1
                    counter.save(update_fields=["last_number"])
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # A read-then-write in one IMMEDIATE transaction per turn loses no increment.
    assert TeamCounter.objects.get(team=team).last_number == writers * increments


def write_once(number: int) -> None:
    with transaction.atomic():
        Team.objects.create(
            name=f"Team {number}", slug=f"team-{number}", reference_prefix=f"T{number}"
        )


def frames_in_log() -> int:
    """How many frames the write-ahead log holds, asked as another program would."""
    other = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        _, frames, _ = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames
    finally:
        other.close()


def test_a_connection_checkpoints_after_its_commits_once_its_turn_is_over(monkeypatch):
    connection.ensure_connection()
    connections["default"]._commits_since_checkpoint = 0
    turn_taken_at_each_checkpoint: list[bool] = []
    checkpoint = type(connections["default"])._checkpoint_passively

    with lock_file() as other_process:

        def recorded(wrapper) -> None:
            turn_taken_at_each_checkpoint.append(is_taken(other_process))
            checkpoint(wrapper)

        monkeypatch.setattr(type(connections["default"]), "_checkpoint_passively", recorded)
        for number in range(CHECKPOINT_EVERY - 1):
            write_once(number)
        assert turn_taken_at_each_checkpoint == []
        write_once(CHECKPOINT_EVERY)
        # The bulk alongside other writers, then the rest in a turn of its own.
        assert turn_taken_at_each_checkpoint == [False, True]
        assert not is_taken(other_process)


def test_after_a_checkpoint_the_next_writer_starts_the_log_afresh():
    connection.ensure_connection()
    connections["default"]._commits_since_checkpoint = 0
    for number in range(CHECKPOINT_EVERY - 1):
        write_once(number)
    # SQLite's backstop is far off: the log still holds every commit so far.
    assert frames_in_log() >= CHECKPOINT_EVERY - 1
    write_once(CHECKPOINT_EVERY)
    write_once(CHECKPOINT_EVERY + 1)
    assert frames_in_log() < 10


def test_a_failed_checkpoint_leaves_the_commit_and_the_turn_alone(monkeypatch, caplog):
    connection.ensure_connection()
    connections["default"]._commits_since_checkpoint = CHECKPOINT_EVERY - 1

    def failing(wrapper) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(type(connections["default"]), "_checkpoint_passively", failing)
    with lock_file() as other_process:
        write_once(1)
        assert not is_taken(other_process)
    assert Team.objects.filter(slug="team-1").exists()
    assert "checkpoint failed" in caplog.text


def test_sqlite_checkpoints_by_itself_only_as_a_backstop():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == BACKSTOP_CHECKPOINT_PAGES


def test_a_connection_still_reading_checkpoints_once_it_is_done(caplog):
    for number in range(3):
        write_once(number)
    connections["default"]._commits_since_checkpoint = 0
    with connection.cursor() as reading:
        # A statement left open, as a long iteration's is, while it writes in between.
        reading.execute("SELECT id FROM org_team")
        reading.fetchone()
        for number in range(10, 10 + CHECKPOINT_EVERY):
            write_once(number)
        assert frames_in_log() >= CHECKPOINT_EVERY
    write_once(100)
    write_once(101)
    assert frames_in_log() < 10
    assert "checkpoint failed" not in caplog.text
