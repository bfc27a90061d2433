"""Attachment files: stored under generated names outside the database and any static path."""

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from inhouse.core.errors import TooLarge

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str


def attachment_path(stored_name: str) -> Path:
    return Path(settings.ATTACHMENT_ROOT) / stored_name[:2] / stored_name


def store_file(source: IO[bytes], *, max_bytes: int | None = None) -> StoredFile:
    """Stream ``source`` to disk, hashing as it goes; refuse it past the size limit.

    The file is written under a temporary name and renamed once complete, so a
    half-written upload is never visible under its final name.
    """
    limit = settings.ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    stored_name = secrets.token_hex(20)
    final_path = attachment_path(stored_name)
    final_path.parent.mkdir(parents=True, exist_ok=True)
    partial_path = final_path.with_suffix(".partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial_path, "wb") as target:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"The file is larger than the limit of {limit // (1024 * 1024)} MiB.",
                        fields={"file": "Too large."},
                    )
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial_path, final_path)
    finally:
        partial_path.unlink(missing_ok=True)
    return StoredFile(stored_name=stored_name, size=size, sha256=digest.hexdigest())


def discard_files(stored: Iterable[StoredFile]) -> None:
    """Remove files whose database rows were never written (the change failed)."""
    for stored_file in stored:
        attachment_path(stored_file.stored_name).unlink(missing_ok=True)


@contextmanager
def files_kept_on_success(stored: list[StoredFile]) -> Iterator[None]:
    """Discard ``stored`` if the block fails, so no file outlives a refused change."""
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        if not succeeded:
            discard_files(stored)


def store_files(streams: Iterable[IO[bytes]]) -> list[StoredFile]:
    """Store several files; if any is refused, none of them stays on disk."""
    stored: list[StoredFile] = []
    with files_kept_on_success(stored):
        for stream in streams:
            stored.append(store_file(stream))
    return stored


def safe_display_name(name: str) -> str:
    """A name fit to show and to send in Content-Disposition: no path, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        ch for ch in base if ch.isprintable() and ch not in '"<>' and not _is_bidi_control(ch)
    ).strip(" .")
    return (cleaned or "attachment")[:200]


def _is_bidi_control(ch: str) -> bool:
    return ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
