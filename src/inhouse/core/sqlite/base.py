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
"""

import fcntl
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base

# The first retries come quickly (a turn usually lasts a few milliseconds), later
# ones less often so that a long wait does not spin.
FIRST_RETRY_SECONDS = 0.00005
LONGEST_RETRY_SECONDS = 0.0005


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock: int | None = None
    _writer_lock_held = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        self._close_writer_lock()
        if not self.is_in_memory_db():
            self._writer_lock = os.open(
                f"{conn_params['database']}-writer", os.O_RDWR | os.O_CREAT, 0o600
            )
        return connection

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
