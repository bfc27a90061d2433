"""What agents keep for themselves: canned replies, saved views, and bulk work on the queue.

Canned replies belong to a team and are shaped by the people who work its queue;
saved views belong to one person and nobody else ever sees or touches them. Bulk
actions are no shortcut past the request services: each selected request goes
through ``update_request`` or ``transition_request`` on its own, and every one of
them gets an outcome, so nothing fails silently halfway.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import CannedReply, Request, SavedView, Status
from inhouse.desk.selectors import get_request_for, parse_queue_query
from inhouse.desk.services.lifecycle import transition_request, update_request
from inhouse.org.models import Person, Team

MAX_TITLE = 200
MAX_CANNED_BODY = 20_000
MAX_VIEW_NAME = 100
MAX_BULK = 100


def _queue_viewer(actor: Person, team: Team) -> policy.Viewer:
    if not actor.is_active:
        raise PermissionDenied(_("Deactivated people cannot change anything."))
    viewer = policy.viewer_for(actor)
    if not policy.works_queue(viewer, team):
        raise PermissionDenied(
            _("Only agents of %(team)s can do that.") % {"team": team.name},
        )
    return viewer


def _required(value: str, *, field: str, limit: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(
            _("%(field)s is required.") % {"field": field},
            fields={field: _("This field is required.")},
        )
    if len(cleaned) > limit:
        raise InvalidInput(
            _("%(field)s is too long.") % {"field": field},
            fields={field: _("Keep it under %(limit)d characters.") % {"limit": limit}},
        )
    return cleaned


# --- canned replies ------------------------------------------------------------------------------


def _save_canned(reply: CannedReply, *, fields: list[str] | None = None) -> CannedReply:
    try:
        with transaction.atomic():
            if fields is None:
                reply.save(force_insert=True)
            else:
                reply.save(update_fields=fields)
    except IntegrityError as exc:
        raise InvalidInput(
            _("The team already has a canned reply with that title."),
            fields={"title": _("Choose another title.")},
        ) from exc
    return reply


def create_canned_reply(*, actor: Person, team: Team, title: str, body: str) -> CannedReply:
    """Add a reusable reply to the team's set; only people who work its queue may."""
    _queue_viewer(actor, team)
    return _save_canned(
        CannedReply(
            team=team,
            title=_required(title, field="title", limit=MAX_TITLE),
            body=_required(body, field="body", limit=MAX_CANNED_BODY),
            created_by=actor,
            updated_at=timezone.now(),
        )
    )


def update_canned_reply(*, actor: Person, reply: CannedReply, title: str, body: str) -> CannedReply:
    _queue_viewer(actor, reply.team)
    reply.title = _required(title, field="title", limit=MAX_TITLE)
    reply.body = _required(body, field="body", limit=MAX_CANNED_BODY)
    reply.updated_at = timezone.now()
    return _save_canned(reply, fields=["title", "body", "updated_at"])


def delete_canned_reply(*, actor: Person, reply: CannedReply) -> None:
    _queue_viewer(actor, reply.team)
    reply.delete()


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def render_canned_reply(
    *, reply: CannedReply, request: Request, agent: Person | None = None
) -> str:
    """The reply's text with its placeholders filled in for this request.

    Known placeholders: {requester_name}, {requester_first_name}, {reference},
    {subject}, {agent_name} (``agent``, else the assignee, else the team),
    {team_name}. Unknown ones stay exactly as typed. Substitution is one pass,
    so braces inside a value (a subject like "{reference}") are never expanded.
    """
    requester_name = request.requester.full_name
    agent = agent or request.assignee
    values = {
        "requester_name": requester_name,
        "requester_first_name": requester_name.split()[0] if requester_name.split() else "",
        "reference": request.reference,
        "subject": request.subject,
        "agent_name": agent.full_name if agent else request.provider_team.name,
        "team_name": request.provider_team.name,
    }
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), reply.body)


# --- saved views --------------------------------------------------------------------------------


def save_view(*, actor: Person, team: Team, name: str, query: str) -> SavedView:
    """Keep the queue's current filters under a name; saving an existing name replaces it.

    The query is checked and normalised as the queue page reads it; the page
    cursor is never kept.
    """
    viewer = _queue_viewer(actor, team)
    name = _required(name, field="name", limit=MAX_VIEW_NAME)
    params = QueryDict(query or "", mutable=True)
    params.pop("cursor", None)
    try:
        parsed = parse_queue_query(params)
    except InvalidInput as exc:
        raise InvalidInput(_("That view's filters are not valid."), fields=exc.fields) from exc
    normalised = parsed.querystring()
    with transaction.atomic():
        existing = (
            SavedView.objects.select_for_update()
            .filter(owner_id=viewer.person_id, team=team, name=name)
            .first()
        )
        if existing is not None:
            existing.query = normalised
            existing.save(update_fields=["query"])
            return existing
        last = SavedView.objects.filter(owner_id=viewer.person_id, team=team).aggregate(
            last=Max("position")
        )["last"]
        try:
            with transaction.atomic():
                return SavedView.objects.create(
                    owner=actor,
                    team=team,
                    name=name,
                    query=normalised,
                    position=0 if last is None else last + 1,
                )
        except IntegrityError as exc:
            raise InvalidInput(
                _("You already have a view with that name."),
                fields={"name": _("Choose another name.")},
            ) from exc


def _own_view(actor: Person, view: SavedView) -> None:
    # Another person's view does not exist as far as anyone else can tell.
    if view.owner_id != actor.pk:
        raise NotFound(_("No such saved view."))


def delete_saved_view(*, actor: Person, view: SavedView) -> None:
    _own_view(actor, view)
    view.delete()


def reorder_saved_views(*, actor: Person, team: Team, view_ids: Sequence[int]) -> list[SavedView]:
    """Put the actor's views for the team in the given order; it must name each exactly once."""
    with transaction.atomic():
        views = {
            view.pk: view
            for view in SavedView.objects.select_for_update().filter(owner=actor, team=team)
        }
        if sorted(view_ids) != sorted(views):
            raise InvalidInput(
                _("Name each of your views for this team exactly once."),
                fields={"order": _("Name each of your views exactly once.")},
            )
        for position, pk in enumerate(view_ids):
            view = views[pk]
            if view.position != position:
                view.position = position
                view.save(update_fields=["position"])
        return [views[pk] for pk in view_ids]


def move_saved_view(*, actor: Person, view: SavedView, offset: int) -> list[SavedView]:
    """Move one of the actor's views up (negative offset) or down the list."""
    _own_view(actor, view)
    order = list(
        SavedView.objects.filter(owner=actor, team_id=view.team_id).values_list("pk", flat=True)
    )
    index = order.index(view.pk)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return reorder_saved_views(actor=actor, team=view.team, view_ids=order)


# --- bulk work ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one selected request: done, or why not."""

    reference: str
    ok: bool
    message: str = ""


def _selected(references: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(ref.strip().upper() for ref in references if ref.strip()))
    if not wanted:
        raise InvalidInput(
            _("Select at least one request."), fields={"ref": _("Select at least one request.")}
        )
    if len(wanted) > MAX_BULK:
        raise InvalidInput(
            _("Select at most %(count)d requests at once.") % {"count": MAX_BULK},
            fields={"ref": _("Too many requests selected.")},
        )
    return wanted


def _each(
    actor: Person, references: Sequence[str], change: Callable[[Request], object]
) -> list[BulkOutcome]:
    outcomes = []
    for reference in _selected(references):
        try:
            request = get_request_for(actor, reference)
            change(request)
        except DomainError as exc:
            outcomes.append(BulkOutcome(reference=reference, ok=False, message=exc.message))
        else:
            outcomes.append(BulkOutcome(reference=request.reference, ok=True))
    return outcomes


def bulk_assign(
    *, actor: Person, references: Sequence[str], assignee: Person | None
) -> list[BulkOutcome]:
    """Assign each selected request (``None``: unassign); one outcome per request, in order.

    Each request changes in its own transaction through ``update_request``, so a
    refusal for one never undoes or hides the others.
    """
    return _each(
        actor,
        references,
        lambda request: update_request(
            actor=actor, request=request, expected_version=None, assignee=assignee
        ),
    )


def bulk_transition(
    *, actor: Person, references: Sequence[str], to: str, comment: str | None = None
) -> list[BulkOutcome]:
    """Move each selected request to ``to`` through ``transition_request``; one outcome each."""
    if to not in Status.values:
        raise InvalidInput(_("Unknown status."), fields={"to": _("Choose a status.")})
    return _each(
        actor,
        references,
        lambda request: transition_request(actor=actor, request=request, to=to, comment=comment),
    )
