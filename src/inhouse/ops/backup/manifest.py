"""The manifest: what a backup holds, and the size and SHA-256 of every file in it."""

import re
from pathlib import Path
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

FORMAT: Literal["inhouse-backup"] = "inhouse-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# What desk/storage.py generates (hex), and nothing that could name another folder.
_STORED_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{1,79}"


class BackupError(Exception):
    """Why a backup or restore was refused or failed, in words for the operator."""


class BackupFile(BaseModel):
    path: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    """What a backup holds; restore trusts nothing in the folder that this does not vouch for."""

    format: Literal["inhouse-backup"]
    format_version: int
    created_at: AwareDatetime
    vendor: Literal["sqlite", "postgresql"]
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    database: BackupFile
    attachments: list[BackupFile]
    # Named by the database but gone from the attachment folder when the backup ran.
    missing_attachments: list[str]

    @field_validator("attachments")
    @classmethod
    def attachment_paths_stay_inside(cls, files: list[BackupFile]) -> list[BackupFile]:
        for entry in files:
            if entry.path != attachment_member(entry.path.rsplit("/", 1)[-1]):
                raise ValueError(f"{entry.path!r} is not an attachment path")
        if len({entry.path for entry in files}) != len(files):
            raise ValueError("an attachment is listed twice")
        return files

    @field_validator("missing_attachments")
    @classmethod
    def missing_names_are_stored_names(cls, names: list[str]) -> list[str]:
        for name in names:
            attachment_member(name)
        return names

    @model_validator(mode="after")
    def database_file_matches_vendor(self) -> "Manifest":
        if self.database.path != DATABASE_FILES[self.vendor]:
            raise ValueError(
                f"the database file of a {self.vendor} backup is not {self.database.path!r}"
            )
        return self

    def files(self) -> list[BackupFile]:
        return [self.database, *self.attachments]


class _Header(BaseModel):
    format: Literal["inhouse-backup"]
    format_version: int


def read_manifest(source: Path) -> Manifest:
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder holding a backup.")
    try:
        text = (source / MANIFEST_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BackupError(
            f"{source} has no {MANIFEST_NAME}: it is not an Inhouse backup, or an incomplete one."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"{MANIFEST_NAME} cannot be read: {error}.") from None
    # The version first, so a backup from a newer Inhouse says so instead of listing fields.
    try:
        header = _Header.model_validate_json(text)
    except ValidationError:
        raise BackupError(
            f"{MANIFEST_NAME} is damaged: it is not an Inhouse backup manifest."
        ) from None
    if header.format_version != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {header.format_version}; this Inhouse reads "
            f"version {FORMAT_VERSION}. Restore it with the Inhouse version that made it."
        )
    try:
        return Manifest.model_validate_json(text)
    except ValidationError as error:
        raise BackupError(f"{MANIFEST_NAME} is damaged: {_first_problem(error)}.") from None


def attachment_member(stored_name: str) -> str:
    """Where an attachment sits inside a backup; refuses a name that could leave the folder."""
    if not _matches(_STORED_NAME, stored_name):
        raise ValueError(f"{stored_name!r} is not a stored attachment name")
    return f"attachments/{stored_name[:2]}/{stored_name}"


def listed(items: list[str], *, shown: int = 3, separator: str = ", ") -> str:
    text = separator.join(items[:shown])
    return text + (f"{separator}and {len(items) - shown} more" if len(items) > shown else "")


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"])
    return f"{where}: {problem['msg']}" if where else str(problem["msg"])


def _matches(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None
