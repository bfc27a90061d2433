"""Reading the audit: who may, the one filter definition, pages and the export's rows.

The admin's page, its CSV export and ``GET /api/v1/audit`` read their parameters
with ``read_audit_filters``, so every door accepts and refuses the same values.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.core.errors import InvalidInput
from inhouse.core.ids import database_id, looks_like_id
from inhouse.core.pagination import KeysetPage, page_by_id
from inhouse.org.models import Person

FILTER_NAMES = ("action", "actor", "target_kind", "target", "since", "until", "correlation_id")
# ``actor=none``: the attempts of callers nobody could identify.
NO_ACTOR = "none"


def may_read_audit(person: Person | None) -> bool:
    """Org admins read the audit: the people ``policy`` treats as admins (an active person
    marked as org admin, or whose login is a superuser). The audit app may not import
    the policy, which reads every app, so the rule is spelled here once more."""
    if person is None or not person.is_active:
        return False
    return person.is_org_admin or bool(person.user and person.user.is_superuser)


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    target_kind: str = ""
    target: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    correlation_id: str = ""

    def querystring_items(self) -> list[tuple[str, str]]:
        """The filters as query parameters, for the page's links and its export."""
        items = [
            ("action", self.action),
            ("actor", self.actor),
            ("target_kind", self.target_kind),
            ("target", self.target),
            ("since", self.since.isoformat() if self.since else ""),
            ("until", self.until.isoformat() if self.until else ""),
            ("correlation_id", self.correlation_id),
        ]
        return [(name, value) for name, value in items if value]


def _date(text: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = _("A date as YYYY-MM-DD.")
        return None


def read_audit_filters(params: Mapping[str, str]) -> AuditFilters:
    """The filters named in ``params``; ``InvalidInput`` naming every bad one."""
    errors: dict[str, str] = {}
    text = {name: str(params.get(name) or "").strip() for name in FILTER_NAMES}
    for name, value in text.items():
        if len(value) > 200:
            errors[name] = _("At most 200 characters.")
    action = text["action"]
    if action and action not in AuditAction.values:
        errors["action"] = _("One of: %(actions)s.") % {"actions": ", ".join(AuditAction.values)}
    actor = text["actor"]
    if actor and looks_like_id(actor) and database_id(actor) is None:
        errors["actor"] = _("No person has this id.")
    since = _date(text["since"], "since", errors)
    until = _date(text["until"], "until", errors)
    if since and until and since > until:
        errors["until"] = _("The end of the range is before its start.")
    if errors:
        raise InvalidInput(
            _("Some filters could not be read: %(names)s.") % {"names": ", ".join(sorted(errors))},
            fields=errors,
        )
    return AuditFilters(
        action=action,
        actor=actor,
        target_kind=text["target_kind"],
        target=text["target"],
        since=since,
        until=until,
        correlation_id=text["correlation_id"],
    )


def _start_of_local_day(day: dt.date) -> dt.datetime:
    """Dates are the reader's: a day starts at midnight in their timezone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_records(filters: AuditFilters) -> QuerySet[AuditRecord]:
    records = AuditRecord.objects.select_related("actor")
    if filters.action:
        records = records.filter(action=filters.action)
    if filters.actor == NO_ACTOR:
        records = records.filter(actor__isnull=True)
    elif filters.actor:
        actor_id = database_id(filters.actor)
        records = records.filter(
            Q(actor_id=actor_id)
            if actor_id is not None
            else Q(actor__user__username=filters.actor) | Q(actor__email__iexact=filters.actor)
        )
    if filters.target_kind:
        records = records.filter(target_kind=filters.target_kind)
    if filters.target:
        # An id, or the label as people say it (a reference, a slug); exact, so that
        # "IT-1" does not find IT-12.
        records = records.filter(
            Q(target_id=filters.target) | Q(target_label__iexact=filters.target)
        )
    if filters.since:
        records = records.filter(occurred_at__gte=_start_of_local_day(filters.since))
    if filters.until:
        next_day = filters.until + dt.timedelta(days=1)
        records = records.filter(occurred_at__lt=_start_of_local_day(next_day))
    if filters.correlation_id:
        records = records.filter(correlation_id=filters.correlation_id)
    return records


def page_of_audit_records(
    filters: AuditFilters, *, cursor: str | None, limit: int
) -> KeysetPage[AuditRecord]:
    """Newest first (records are written in time order, so by id), a page at a time."""
    return page_by_id(audit_records(filters), cursor=cursor, limit=limit, newest_first=True)


def audit_records_for_export(filters: AuditFilters) -> Iterator[AuditRecord]:
    """Every matching record, newest first, read in chunks so memory stays flat."""
    return audit_records(filters).order_by("-pk").iterator(chunk_size=1000)
