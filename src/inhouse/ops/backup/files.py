"""Files copied, hashed and put in place so that a crash never leaves half of one visible."""

import errno
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from inhouse.ops.backup.manifest import BackupFile
from inhouse.ops.backup.progress import SILENT, ProgressBar

_CHUNK = 1024 * 1024


def copy_hashing(source: Path, target: Path | None, bar: ProgressBar) -> tuple[int, str]:
    """Read ``source`` once, hashing it and, given a ``target``, writing it there durably."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as reader, _maybe_open(target) as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if writer is not None:
                writer.write(chunk)
            bar.advance(len(chunk))
        if writer is not None:
            writer.flush()
            os.fsync(writer.fileno())
    return size, digest.hexdigest()


@contextmanager
def _maybe_open(target: Path | None) -> Iterator[BinaryIO | None]:
    if target is None:
        yield None
        return
    with open(target, "xb") as writer:
        yield writer


def describe_file(path: Path, member: str) -> BackupFile:
    size, digest = copy_hashing(path, None, SILENT.bar("", 0, "bytes"))
    return BackupFile(path=member, size=size, sha256=digest)


def write_durably(path: Path, data: bytes) -> None:
    with open(path, "xb") as writer:
        writer.write(data)
        writer.flush()
        os.fsync(writer.fileno())


def put_in_place(staging: Path, destination: Path) -> None:
    """Rename ``staging`` to ``destination``; what was there goes once the new one is in place."""
    retired = None
    if destination.exists():
        retired = destination.with_name(f".{destination.name}.replaced-{secrets.token_hex(4)}")
        destination.rename(retired)
    staging.rename(destination)
    descriptor = os.open(destination.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if retired is not None:
        shutil.rmtree(retired)


def describe_os_error(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    if error.errno == errno.ENOSPC:
        return f"no space is left on the device{where}."
    return f"{error.strerror or error}{where}."
