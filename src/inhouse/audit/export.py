"""The audit as CSV: one row per record, streamed, every cell safe to open in a spreadsheet."""

import csv
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone

from inhouse.audit.models import AuditRecord

HEADER = (
    "occurred_at", "action", "actor_id", "actor", "target_kind", "target_id", "target_label",
    "what", "door", "correlation_id", "data",
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    """The cell as text a spreadsheet shows rather than runs: a leading quote if it could
    start a formula; the value itself is kept as written."""
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell


class _Echo:
    """A file that hands back what is written to it, so ``csv.writer`` feeds a stream."""

    def write(self, value: str) -> str:
        return value


def _row(record: AuditRecord) -> list[str]:
    actor = record.actor
    return [
        # ISO 8601 with the offset: the reader's local time, and unambiguous.
        timezone.localtime(record.occurred_at).isoformat(),
        record.action,
        str(actor.pk) if actor else "",
        actor.full_name if actor else "",
        record.target_kind,
        record.target_id,
        record.target_label,
        record.detail,
        record.door,
        record.correlation_id,
        json.dumps(record.data, ensure_ascii=False, sort_keys=True) if record.data else "",
    ]


def csv_lines(records: Iterable[AuditRecord]) -> Iterator[str]:
    """The header and one line per record, as the records are read."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for record in records:
        yield writer.writerow([neutralised(cell) for cell in _row(record)])
