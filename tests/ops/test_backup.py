"""`inhouse backup` and `inhouse restore`: a consistent copy of the database and every
attachment file, checked file by file before anything is restored.

The backup reads committed data through connections of its own, as it does while the
server runs, so these tests commit (transactional database) instead of running inside
one transaction.
"""

import errno
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from tests.desk.helpers import submit, upload

from inhouse.desk.models import Attachment, Comment, EventKind
from inhouse.desk.services import add_attachment, add_comment
from inhouse.ops.backup import (
    SILENT,
    BackupError,
    ProgressBar,
    ProgressOutput,
    create_backup,
    read_manifest,
    restore_backup,
)

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's client programs"
)


@pytest.fixture
def attachment_root(settings) -> Path:
    return Path(settings.ATTACHMENT_ROOT)


@pytest.fixture
def busy_desk(cast) -> list[Attachment]:
    """Requests with replies, notes and files, a confidential HR case among them."""
    printer = submit(cast)
    add_attachment(actor=cast.rita, request=printer, upload=upload(b"jam\n" * 500, name="j.log"))
    add_comment(
        actor=cast.alex,
        request=printer,
        body="Which tray?",
        attachments=[upload(b"\x89PNG tray photo", name="tray.png", content_type="image/png")],
    )
    add_comment(actor=cast.alex, request=printer, body="Internal: toner low.", public=False)
    add_comment(actor=cast.rita, request=printer, body="Tray 2.")
    case = submit(
        cast,
        service=cast.mediation,
        subject="Conflict with my manager",
        form_answers={"summary": "It started in March."},
    )
    add_attachment(actor=cast.rita, request=case, upload=upload(b"%PDF-1.7 notes", name="n.pdf"))
    return list(Attachment.objects.all())


@pytest.fixture
def fresh_target(tmp_path) -> Iterator[BaseDatabaseWrapper]:
    """A database nothing has touched: a new SQLite file, or a new PostgreSQL database."""
    settings_dict = connection.settings_dict
    backend = load_backend(settings_dict["ENGINE"])
    if connection.vendor == "sqlite":
        target = backend.DatabaseWrapper(
            {**settings_dict, "NAME": str(tmp_path / "restored" / "inhouse.sqlite3")}, "target"
        )
        (tmp_path / "restored").mkdir()
        yield target
        target.close()
        return
    name = f"{settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    target = backend.DatabaseWrapper({**settings_dict, "NAME": name}, "target")
    yield target
    target.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{name}"')


def table_rows(database: BaseDatabaseWrapper) -> dict[str, list[tuple]]:
    """Every row of every table, found by introspection, in a stable order."""
    quote = database.ops.quote_name
    rows = {}
    with database.cursor() as cursor:
        for table in database.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - a catalog name
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def file_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def back_up(destination: Path, attachment_root: Path, **options) -> Path:
    create_backup(
        destination,
        force=options.pop("force", False),
        output=options.pop("output", SILENT),
        database=connection,
        attachment_root=attachment_root,
    )
    return destination


def restore_into(target: BaseDatabaseWrapper, backup: Path, attachment_root: Path) -> None:
    restore_backup(
        backup, replace=False, output=SILENT, database=target, attachment_root=attachment_root
    )


def count(database: BaseDatabaseWrapper, sql: str) -> int:
    with database.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_restore_into_a_fresh_database_has_every_row_and_every_file(
    busy_desk, attachment_root, fresh_target, tmp_path
):
    backup = back_up(tmp_path / "backup", attachment_root)
    restored_files = tmp_path / "restored-attachments"

    restore_into(fresh_target, backup, restored_files)

    assert table_rows(fresh_target) == table_rows(connection)
    assert file_digests(restored_files) == file_digests(attachment_root)
    assert sorted(file_digests(restored_files).values()) == sorted(a.sha256 for a in busy_desk)
    assert len(busy_desk) == 3


def test_the_manifest_records_vendor_migrations_row_counts_and_every_file(
    busy_desk, attachment_root, tmp_path
):
    before = datetime.now(UTC)
    backup = back_up(tmp_path / "backup", attachment_root)

    manifest = read_manifest(backup)

    assert manifest.format_version == 1
    assert manifest.vendor == connection.vendor
    assert before <= manifest.created_at <= datetime.now(UTC)
    assert "0001_initial" in manifest.migrations["desk"]
    assert manifest.tables["desk_attachment"] == 3
    assert manifest.tables["desk_comment"] == Comment.objects.count()
    assert set(manifest.tables) == set(connection.introspection.table_names()) - {"sqlite_sequence"}
    assert {entry.path: (entry.size, entry.sha256) for entry in manifest.attachments} == {
        f"attachments/{a.stored_name[:2]}/{a.stored_name}": (a.size, a.sha256) for a in busy_desk
    }
    database_file = backup / manifest.database.path
    assert manifest.database.size == database_file.stat().st_size
    assert manifest.database.sha256 == hashlib.sha256(database_file.read_bytes()).hexdigest()
    assert manifest.missing_attachments == []


def test_files_of_uploads_without_a_row_stay_out_of_the_backup(
    busy_desk, attachment_root, tmp_path
):
    # What an upload still in flight (or one whose change failed) leaves on disk.
    stray = attachment_root / "ff" / ("f" * 40)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"not committed")

    manifest = read_manifest(back_up(tmp_path / "backup", attachment_root))

    assert len(manifest.attachments) == 3
    # The stray file itself: a real attachment's name may also start with "ff".
    assert not (tmp_path / "backup" / "attachments" / "ff" / stray.name).exists()


def test_a_file_missing_or_changed_on_disk_is_reported_and_the_backup_still_made(
    busy_desk, attachment_root, fresh_target, tmp_path
):
    missing, changed = busy_desk[0], busy_desk[1]
    (attachment_root / missing.stored_name[:2] / missing.stored_name).unlink()
    (attachment_root / changed.stored_name[:2] / changed.stored_name).write_bytes(b"rewritten")
    stderr = io.StringIO()

    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO(), stderr=stderr)

    assert f"attachment file {missing.stored_name} is missing" in stderr.getvalue()
    assert f"attachment file {changed.stored_name} no longer matches" in stderr.getvalue()
    manifest = read_manifest(tmp_path / "backup")
    assert manifest.missing_attachments == [missing.stored_name]
    assert len(manifest.attachments) == 2
    restored_files = tmp_path / "restored-attachments"
    restore_into(fresh_target, tmp_path / "backup", restored_files)
    assert file_digests(restored_files) == file_digests(attachment_root)


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(
    busy_desk, attachment_root, tmp_path
):
    backup = back_up(tmp_path / "backup", attachment_root)
    rows_before, files_before = table_rows(connection), file_digests(attachment_root)

    with pytest.raises(CommandError, match="already holds data.*--replace"):
        call_command("restore", str(backup))

    assert table_rows(connection) == rows_before
    assert file_digests(attachment_root) == files_before


def test_restore_refuses_an_attachment_folder_that_holds_files(
    busy_desk, attachment_root, fresh_target, tmp_path
):
    backup = back_up(tmp_path / "backup", attachment_root)
    occupied = tmp_path / "occupied"
    (occupied / "ab").mkdir(parents=True)
    (occupied / "ab" / "abcdef").write_bytes(b"someone's file")

    with pytest.raises(BackupError, match="already holds files"):
        restore_into(fresh_target, backup, occupied)

    assert fresh_target.introspection.table_names() == []


def test_restore_with_replace_deletes_the_current_data_first(
    cast, busy_desk, attachment_root, tmp_path
):
    backup = back_up(tmp_path / "backup", attachment_root)
    rows_at_backup, files_at_backup = table_rows(connection), file_digests(attachment_root)
    later = submit(cast, subject="Filed after the backup")
    add_attachment(actor=cast.rita, request=later, upload=upload(b"after", name="later.txt"))
    Comment.objects.filter(body="Tray 2.").update(body="Edited after the backup")

    call_command("restore", str(backup), "--replace", stdout=io.StringIO(), stderr=io.StringIO())

    assert table_rows(connection) == rows_at_backup
    assert file_digests(attachment_root) == files_at_backup


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        ("flip a byte of an attachment", "does not match its SHA-256"),
        ("flip a byte of the database", "does not match its SHA-256"),
        ("remove an attachment", "is missing"),
        ("truncate the database", "bytes where the manifest says"),
    ],
)
def test_a_damaged_or_incomplete_backup_is_refused_before_anything_is_touched(
    busy_desk, attachment_root, fresh_target, tmp_path, damage, named
):
    backup = back_up(tmp_path / "backup", attachment_root)
    manifest = read_manifest(backup)
    victim = manifest.database if "database" in damage else manifest.attachments[0]
    path = backup / victim.path
    content = bytearray(path.read_bytes())
    if damage.startswith("flip"):
        content[len(content) // 2] ^= 0xFF
        path.write_bytes(bytes(content))
    elif damage.startswith("truncate"):
        path.write_bytes(bytes(content[:-1]))
    else:
        path.unlink()
    restored_files = tmp_path / "restored-attachments"

    with pytest.raises(BackupError, match="damaged or incomplete") as refusal:
        restore_into(fresh_target, backup, restored_files)

    problem = str(refusal.value).split(": ", 1)[1]
    assert problem.startswith(victim.path)
    assert named in problem
    assert fresh_target.introspection.table_names() == []
    assert not restored_files.exists()


def test_every_damaged_file_is_named_at_once(busy_desk, attachment_root, fresh_target, tmp_path):
    backup = back_up(tmp_path / "backup", attachment_root)
    manifest = read_manifest(backup)
    for entry in manifest.attachments[:2]:
        (backup / entry.path).write_bytes(b"x" * entry.size)

    with pytest.raises(BackupError) as refusal:
        restore_into(fresh_target, backup, tmp_path / "restored-attachments")

    for entry in manifest.attachments[:2]:
        assert entry.path in str(refusal.value)


def edit_manifest(backup: Path, change) -> None:
    path = backup / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_a_backup_of_the_other_database_vendor_is_refused(
    busy_desk, attachment_root, fresh_target, tmp_path
):
    backup = back_up(tmp_path / "backup", attachment_root)
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]
    other_file = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[other]

    def pretend_other_vendor(manifest):
        (backup / manifest["database"]["path"]).rename(backup / other_file)
        manifest["vendor"] = other
        manifest["database"]["path"] = other_file

    edit_manifest(backup, pretend_other_vendor)

    with pytest.raises(BackupError, match="restores only onto the vendor it was made from"):
        restore_into(fresh_target, backup, tmp_path / "restored-attachments")
    assert fresh_target.introspection.table_names() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["migrations"]["desk"].append("9999_from_the_future"), "newer Inhouse"),
        (lambda m: m.update(format_version=2), "format version 2"),
        (lambda m: m["attachments"][0].update(path="attachments/../../etc/passwd"), "damaged"),
        (lambda m: m.pop("tables"), "damaged: tables"),
    ],
)
def test_a_manifest_restore_cannot_trust_is_refused(
    busy_desk, attachment_root, fresh_target, tmp_path, change, message
):
    backup = back_up(tmp_path / "backup", attachment_root)
    edit_manifest(backup, change)

    with pytest.raises(BackupError, match=message):
        restore_into(fresh_target, backup, tmp_path / "restored-attachments")
    assert fresh_target.introspection.table_names() == []


def test_a_folder_without_a_manifest_is_not_a_backup(fresh_target, tmp_path, db):
    (tmp_path / "not-a-backup").mkdir()

    with pytest.raises(BackupError, match="no manifest.json"):
        restore_into(fresh_target, tmp_path / "not-a-backup", tmp_path / "files")


def test_a_backup_taken_while_another_connection_writes_is_consistent(
    cast, busy_desk, attachment_root, fresh_target, tmp_path, monkeypatch
):
    """Each reply writes a comment, its file and its history event in one transaction;
    the backup must hold whole replies only, each with its file."""
    request = busy_desk[0].request
    replies_written = 0
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_replying() -> None:
        nonlocal replies_written
        try:
            while not stop.is_set():
                add_comment(
                    actor=cast.alex,
                    request=request,
                    body=f"Update {replies_written}",
                    attachments=[upload(f"log {replies_written}".encode(), name="log.txt")],
                )
                replies_written += 1
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(error)
        finally:
            connection.close()

    # Small steps with a pause between them, so the copy spans many of the writer's commits.
    monkeypatch.setattr("inhouse.ops.backup.databases._SQLITE_PAGES_PER_STEP", 2)
    slow_output = ProgressOutput(write=lambda _text: time.sleep(0.002), in_place=True)
    writer = threading.Thread(target=keep_replying)
    writer.start()
    try:
        while replies_written < 3 and writer.is_alive():
            time.sleep(0.01)
        written_before = replies_written
        backup = back_up(tmp_path / "backup", attachment_root, output=slow_output)
        written_during = replies_written - written_before
    finally:
        stop.set()
        writer.join()
    assert not failures
    assert written_during > 0

    restored_files = tmp_path / "restored-attachments"
    restore_into(fresh_target, backup, restored_files)

    comments = count(fresh_target, "SELECT COUNT(*) FROM desk_comment")
    commented = count(
        fresh_target,
        f"SELECT COUNT(*) FROM desk_requestevent WHERE kind = '{EventKind.COMMENTED}'",  # noqa: S608
    )
    replies_in_backup = comments - 3  # busy_desk wrote three comments before
    assert written_before <= replies_in_backup <= replies_written
    assert commented == comments
    with fresh_target.cursor() as cursor:
        cursor.execute("SELECT stored_name, sha256 FROM desk_attachment")
        attachment_rows = cursor.fetchall()
    assert len(attachment_rows) == 3 + replies_in_backup
    assert file_digests(restored_files) == {
        f"{name[:2]}/{name}": digest for name, digest in attachment_rows
    }


def test_backup_refuses_a_folder_that_is_not_empty_unless_forced(
    busy_desk, attachment_root, tmp_path
):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")

    with pytest.raises(CommandError, match="is not empty.*--force"):
        call_command("backup", str(occupied))
    with pytest.raises(CommandError, match="no Inhouse backup"):
        call_command("backup", str(occupied), "--force")
    assert [path.name for path in occupied.iterdir()] == ["notes.txt"]


def test_backup_with_force_replaces_an_earlier_backup(busy_desk, attachment_root, tmp_path):
    backup = back_up(tmp_path / "backup", attachment_root)
    first = read_manifest(backup).created_at
    (backup / "left-over").write_text("from the earlier backup")

    call_command("backup", str(backup), "--force", stdout=io.StringIO(), stderr=io.StringIO())

    assert read_manifest(backup).created_at > first
    assert not (backup / "left-over").exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_backup_into_an_existing_empty_folder_is_allowed(busy_desk, attachment_root, tmp_path):
    (tmp_path / "empty").mkdir()

    call_command("backup", str(tmp_path / "empty"), stdout=io.StringIO(), stderr=io.StringIO())

    assert read_manifest(tmp_path / "empty").tables["desk_attachment"] == 3


@pytest.mark.parametrize(
    ("path", "message"),
    [("no-such-folder/backup", "does not exist; create it first"), ("a-file", "is not a folder")],
)
def test_backup_refuses_a_bad_path(db, tmp_path, path, message):
    (tmp_path / "a-file").write_text("x")

    with pytest.raises(CommandError, match=message):
        call_command("backup", str(tmp_path / path))


def test_a_full_disk_fails_the_backup_cleanly(busy_desk, attachment_root, tmp_path, monkeypatch):
    def disk_full(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)

    with pytest.raises(CommandError, match="no space is left on the device"):
        call_command("backup", str(tmp_path / "backup"), stderr=io.StringIO())

    assert list(tmp_path.iterdir()) == [attachment_root]


@on_postgresql
def test_a_missing_pg_dump_is_named(db, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        call_command("backup", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()


@on_postgresql
def test_pg_dump_gets_the_password_from_the_environment_never_the_command_line(
    busy_desk, attachment_root, tmp_path, monkeypatch
):
    from inhouse.ops.backup import databases

    seen = []
    real_run = databases._run_pg_program

    def recording_run(arguments, *, environment, bar, counted):
        seen.append((arguments, environment))
        real_run(arguments, environment=environment, bar=bar, counted=counted)

    monkeypatch.setattr(databases, "_run_pg_program", recording_run)
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-for-the-test")

    back_up(tmp_path / "backup", attachment_root)

    ((arguments, environment),) = seen
    assert not any("s3cret" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cret-for-the-test"


def test_progress_on_a_pipe_is_whole_lines_and_ends_at_100_percent(
    busy_desk, attachment_root, tmp_path
):
    stderr, stdout = io.StringIO(), io.StringIO()

    call_command("backup", str(tmp_path / "backup"), stdout=stdout, stderr=stderr)

    lines = stderr.getvalue().splitlines(keepends=True)
    assert "\r" not in stderr.getvalue()
    assert all(line.endswith("\n") for line in lines)
    assert any(line.startswith("Database") and "100%" in line for line in lines)
    assert any(line.startswith("Files") and "100%" in line for line in lines)
    assert "3 attachment files" in stdout.getvalue()


def test_quiet_commands_write_no_progress(busy_desk, attachment_root, tmp_path):
    stderr = io.StringIO()

    call_command("backup", str(tmp_path / "backup"), verbosity=0, stderr=stderr)

    assert stderr.getvalue() == ""


def test_the_bar_redraws_in_place_on_a_terminal():
    written: list[str] = []
    bar = ProgressBar(written.append, label="Files", total=4 * 1048576, unit="bytes", in_place=True)

    for _ in range(4):
        bar.advance(1048576)
    bar.finish()

    assert all(text.startswith("\r") for text in written[:-1])
    assert written[-1] == "\n"
    assert written[-2] == "\rFiles        [" + "#" * 30 + "] 100%  4.0 MiB of 4.0 MiB"


def test_the_bar_writes_a_line_per_tenth_elsewhere():
    written: list[str] = []
    bar = ProgressBar(written.append, label="Database", total=1000, unit="tables", in_place=False)

    for _ in range(1000):
        bar.advance(1)
    bar.finish()

    assert len(written) == 11
    assert written[0].startswith("Database     [" + "-" * 30 + "]   0%")
    assert written[-1].endswith("100%  1000 of 1000 tables\n")


def test_inhouse_backup_and_restore_run_from_the_command_line(busy_desk, attachment_root, tmp_path):
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings_dict['NAME']}"
    else:
        url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
            f"/{settings_dict['NAME']}"
        )
    environment = {
        **os.environ,
        "INHOUSE_DATABASE_URL": url,
        "INHOUSE_ATTACHMENT_ROOT": str(attachment_root),
    }
    inhouse = [sys.executable, "-m", "inhouse.cli"]
    backup = str(tmp_path / "backup")

    made = subprocess.run([*inhouse, "backup", backup], env=environment, capture_output=True)
    again = subprocess.run([*inhouse, "backup", backup], env=environment, capture_output=True)
    refused = subprocess.run([*inhouse, "restore", backup], env=environment, capture_output=True)
    replaced = subprocess.run(
        [*inhouse, "restore", backup, "--replace"], env=environment, capture_output=True
    )

    assert made.returncode == 0, made.stderr
    assert b"Backup written to" in made.stdout
    assert again.returncode == 1
    assert b"is not empty" in again.stderr
    assert refused.returncode == 1
    assert b"already holds data" in refused.stderr
    assert replaced.returncode == 0, replaced.stderr
    assert b"Restored the backup of" in replaced.stdout
    assert timedelta(0) <= datetime.now(UTC) - read_manifest(Path(backup)).created_at
