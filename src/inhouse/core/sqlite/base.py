"""SQLite whose writers wait their turn promptly.

SQLite lets one transaction write at a time. One that finds the write lock taken
sleeps and retries on SQLite's own schedule (1, 2, 5, 10, 15 … ms), so when two
web processes file requests at once, the second sleeps a millisecond or more
after a turn that lasted two, and the lock stands idle meanwhile: under load,
writes queue behind those naps rather than behind each other's work.

Here each write transaction (``atomic()`` begins one with ``BEGIN IMMEDIATE``, as
the settings ask) first takes an exclusive ``flock`` on a file beside the
database, retried at a fine interval, and lets it go at ``COMMIT`` or
``ROLLBACK``. The lock file only orders the writers: SQLite's own locking still
decides, so a writer outside ``atomic()``, another program, or a wait longer than
the busy timeout meets SQLite's lock and its timeout as before.

Each statement's text is turned into SQLite's placeholders once per process, not on
every call (``_CursorWrapper``).

The log is copied back into the database (a checkpoint) outside the turns. SQLite
would do it itself inside the commit that crosses a thousand pages, fsyncs
included, while the turn is still held; under load that was a third of a submit's
turn. Here a connection checkpoints after every ``CHECKPOINT_EVERY`` of its commits,
once its turn is over: first alongside the other writers (the bulk of the pages and
the syncs), then the few pages they wrote meanwhile in a short turn of its own, so
that the log is whole in the database and the next writer starts it afresh.
"""

import fcntl
import logging
import os
import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base

# The first retries come quickly (a turn usually lasts a few milliseconds), later
# ones less often so that a long wait does not spin.
FIRST_RETRY_SECONDS = 0.00005
LONGEST_RETRY_SECONDS = 0.0005
# A submit writes some twenty pages of log: a checkpoint every 25 commits of one
# connection copies fewer than SQLite's own thousand, and sooner.
CHECKPOINT_EVERY = 25
# SQLite's own checkpoints stay as a backstop, for writes that commit on their own
# (outside ``atomic()``) and so never count here: ten times its default.
BACKSTOP_CHECKPOINT_PAGES = 10_000

# Enough for every statement the application repeats; a process that builds more
# distinct texts than this (long IN lists, say) starts the cache afresh.
CONVERTED_STATEMENTS = 4096

logger = logging.getLogger(__name__)


class _CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, remembering each statement's text in SQLite's placeholders.

    Django rewrites every ``%s`` to ``?`` with a regular expression on each call; the
    hot paths send the same few texts (``core.prepared``, ``core.inserts``) over and
    over, and a submit spent about a tenth of its instructions rewriting them."""

    _converted: dict[str, str] = {}

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)  # type: ignore[misc]  # not in django-stubs
        converted = self._converted.get(query)
        if converted is None:
            if len(self._converted) >= CONVERTED_STATEMENTS:
                self._converted.clear()
            converted = self._converted[query] = super().convert_query(query)  # type: ignore[misc]
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock: int | None = None
    _writer_lock_held = False
    _commits_since_checkpoint = 0

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        self._close_writer_lock()
        if not self.is_in_memory_db():
            connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
            self._writer_lock = os.open(
                f"{conn_params['database']}-writer", os.O_RDWR | os.O_CREAT, 0o600
            )
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=_CursorWrapper)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_turn()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            self._end_writer_turn()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._end_writer_turn()
        self._commits_since_checkpoint += 1
        if self._commits_since_checkpoint >= CHECKPOINT_EVERY:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the log back into the database, the bulk of it outside any turn.

        The commit before it has succeeded whatever happens here. While this connection
        still reads (a long iteration that writes as it goes) SQLite refuses: the
        next commit tries again. Any other failure is logged, and the next checkpoint
        (or SQLite's backstop) copies the pages."""
        if self._writer_lock is None:
            return
        try:
            self._checkpoint_passively()
            self._take_writer_turn()
            try:
                self._checkpoint_passively()
            finally:
                self._end_writer_turn()
        except sqlite3.Error as failed:
            if getattr(failed, "sqlite_errorcode", None) == sqlite3.SQLITE_LOCKED:
                return
            logger.warning("SQLite checkpoint failed; the next one copies the pages", exc_info=True)
        self._commits_since_checkpoint = 0

    def _checkpoint_passively(self) -> None:
        # PASSIVE copies what no reader still needs and never waits; another
        # connection checkpointing at the same moment makes this one a no-op.
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._end_writer_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._close_writer_lock()

    def _take_writer_turn(self) -> None:
        if self._writer_lock is None or self._writer_lock_held:
            return
        give_up_at = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = FIRST_RETRY_SECONDS
        while True:
            try:
                fcntl.flock(self._writer_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= give_up_at:
                    # Past the busy timeout: SQLite's own wait decides and reports.
                    return
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_RETRY_SECONDS)
                continue
            self._writer_lock_held = True
            return

    def _end_writer_turn(self) -> None:
        if self._writer_lock is not None and self._writer_lock_held:
            fcntl.flock(self._writer_lock, fcntl.LOCK_UN)
            self._writer_lock_held = False

    def _close_writer_lock(self) -> None:
        if self._writer_lock is not None:
            self._end_writer_turn()
            os.close(self._writer_lock)
            self._writer_lock = None
