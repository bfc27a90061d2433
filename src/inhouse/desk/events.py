"""The history vocabulary: one writer per kind of ``RequestEvent``, and the reader.

Each writer builds one unsaved event from keyword-only, typed facts, so every
kind has exactly one data shape (listed in ``docs/events.md``); ``record``
inserts them. The services, the SLA sweep and the demo's replay all build
events here and nowhere else, which is what lets insights trust the shape.
Writers take ids rather than rows, because the demo builds events for rows it
has not inserted yet. ``record`` also chains them (``inhouse.desk.history_chain``),
so the history is tamper-evident.

The reader, which turns these events into what pages and the API show, is
``inhouse.desk.history_reader``.
"""

from datetime import datetime
from typing import Any

from inhouse.core.inserts import insert_rows, update_columns
from inhouse.desk import history_chain
from inhouse.desk.models import EventKind, Request, RequestEvent


def _event(
    kind: str,
    *,
    request_id: int,
    actor_id: int | None,
    at: datetime,
    data: dict[str, Any],
    public: bool = True,
) -> RequestEvent:
    return RequestEvent(
        request_id=request_id, actor_id=actor_id, kind=kind, data=data, is_public=public,
        created_at=at,
    )  # fmt: skip


def record(request: Request, *events: RequestEvent) -> None:
    """Chain and insert events of ``request`` built by the writers below: the one place
    history rows are created.

    ``request`` is the row the caller holds locked for the rest of its transaction
    (``select_for_update``), so its chain head is the newest and no other writer can
    take the next place meanwhile. The events follow that head and the head moves on,
    in memory: the caller saves it with the request in the same transaction
    (``save_changed`` and ``touch`` in the services do, otherwise ``save_chain_head``).
    """
    for event in events:
        if event.request_id != request.pk:
            raise ValueError(f"An event of request {event.request_id} recorded on {request.pk}.")
    request.history_length, request.history_digest = history_chain.chain(
        events, length=request.history_length, digest=request.history_digest
    )
    insert_rows(events)


# The fields of ``Request`` that ``record`` moves and the caller saves.
CHAIN_HEAD_FIELDS = ("history_length", "history_digest")


def save_chain_head(request: Request) -> None:
    """Save the chain head ``record`` moved, for a caller that saves nothing else."""
    update_columns(request, CHAIN_HEAD_FIELDS)


# --- the writers, one per kind ------------------------------------------------------------------


def created(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    service: str,
    priority: str,
    channel: str,
    reference: str,
    priority_from: str,
    on_behalf_of: int | None = None,
    impact_urgency: tuple[str, str] | None = None,
) -> RequestEvent:
    """The request was filed; ``priority_from`` is the service's rule that set its priority
    (with the requester's ``impact_urgency`` when it was the ITIL matrix), and
    ``on_behalf_of`` is the requester when someone else filed it."""
    data: dict[str, Any] = {
        "service": service, "priority": priority, "priority_from": priority_from,
        "channel": channel, "reference": reference,
    }  # fmt: skip
    if impact_urgency is not None:
        data["impact"], data["urgency"] = impact_urgency
    if on_behalf_of is not None:
        data["on_behalf_of"] = on_behalf_of
    return _event(EventKind.CREATED, request_id=request_id, actor_id=actor_id, at=at, data=data)


def commented(
    *, request_id: int, actor_id: int | None, at: datetime, comment_id: int, public: bool
) -> RequestEvent:
    """A reply (``public``) or an internal note, which only the provider's agents see."""
    return _event(
        EventKind.COMMENTED, request_id=request_id, actor_id=actor_id, at=at,
        data={"comment": comment_id, "public": public}, public=public,
    )  # fmt: skip


def attached(
    *,
    request_id: int,
    actor_id: int | None,
    at: datetime,
    attachment_id: int,
    size: int,
    sha256: str,
    public: bool,
) -> RequestEvent:
    """A file was added, to the request or to a comment (internal with an internal note)."""
    return _event(
        EventKind.ATTACHED, request_id=request_id, actor_id=actor_id, at=at,
        data={"attachment": attachment_id, "size": size, "sha256": sha256}, public=public,
    )  # fmt: skip


def status_changed(
    *, request_id: int, actor_id: int | None, at: datetime, before: str, after: str
) -> RequestEvent:
    return _event(
        EventKind.STATUS_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"status": [before, after]},
    )  # fmt: skip


def assigned(
    *, request_id: int, actor_id: int | None, at: datetime, before: int | None, after: int | None
) -> RequestEvent:
    """The assignee changed; ``None`` on either side is nobody."""
    return _event(
        EventKind.ASSIGNED, request_id=request_id, actor_id=actor_id, at=at,
        data={"assignee": [before, after]},
    )  # fmt: skip


def priority_changed(
    *, request_id: int, actor_id: int | None, at: datetime, before: str, after: str
) -> RequestEvent:
    return _event(
        EventKind.PRIORITY_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"priority": [before, after]},
    )  # fmt: skip


def external_ref_changed(
    *, request_id: int, actor_id: int | None, at: datetime, before: str, after: str
) -> RequestEvent:
    return _event(
        EventKind.EXTERNAL_REF_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"external_ref": [before, after]},
    )  # fmt: skip


def transferred(
    *,
    request_id: int,
    actor_id: int | None,
    at: datetime,
    services: tuple[str, str],
    provider_teams: tuple[int, int],
    references: tuple[str, str],
) -> RequestEvent:
    """Handed to another service: each pair is (before, after), services by slug."""
    return _event(
        EventKind.TRANSFERRED, request_id=request_id, actor_id=actor_id, at=at,
        data={
            "service": list(services),
            "provider_team": list(provider_teams),
            "reference": list(references),
        },
    )  # fmt: skip


def dependency_added(
    *, request_id: int, actor_id: int | None, at: datetime, blocker_id: int
) -> RequestEvent:
    """The request now waits for ``blocker_id``."""
    return _event(
        EventKind.DEPENDENCY_ADDED, request_id=request_id, actor_id=actor_id, at=at,
        data={"blocked_by": blocker_id},
    )  # fmt: skip


def dependency_removed(
    *, request_id: int, actor_id: int | None, at: datetime, blocker_id: int
) -> RequestEvent:
    """The request no longer waits for ``blocker_id``."""
    return _event(
        EventKind.DEPENDENCY_REMOVED, request_id=request_id, actor_id=actor_id, at=at,
        data={"blocked_by": blocker_id},
    )  # fmt: skip


def watcher_added(
    *, request_id: int, actor_id: int | None, at: datetime, watcher_id: int
) -> RequestEvent:
    return _event(
        EventKind.WATCHER_ADDED, request_id=request_id, actor_id=actor_id, at=at,
        data={"watcher": watcher_id},
    )  # fmt: skip


def first_response(*, request_id: int, actor_id: int | None, at: datetime) -> RequestEvent:
    """The provider's first public reply (or resolution): the first-response clock stopped."""
    return _event(
        EventKind.FIRST_RESPONSE, request_id=request_id, actor_id=actor_id, at=at, data={}
    )


def breached(*, request_id: int, at: datetime, clock: str, due_at: datetime) -> RequestEvent:
    """A clock went past its due time; nobody did it, so there is no actor."""
    return _event(
        EventKind.BREACHED, request_id=request_id, actor_id=None, at=at,
        data={"clock": clock, "due_at": due_at.isoformat()},
    )  # fmt: skip


def legal_hold_changed(
    *, request_id: int, actor_id: int, at: datetime, before: bool, after: bool
) -> RequestEvent:
    """A lead or admin placed the request on legal hold or lifted it; requesters are not told."""
    return _event(
        EventKind.LEGAL_HOLD_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"legal_hold": [before, after]}, public=False,
    )  # fmt: skip


def followed_up(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    follow_up_id: int,
    step: str,
    still_working: str,
    reopened: bool,
) -> RequestEvent:
    """The requester answered the follow-up of cadence ``step`` ("2w"): whether it still
    works (yes, partly, no) and whether that reopened the request; the texts stay on the
    follow-up (``feedback.FollowUp``)."""
    return _event(
        EventKind.FOLLOWED_UP, request_id=request_id, actor_id=actor_id, at=at,
        data={
            "follow_up": follow_up_id, "step": step, "still_working": still_working,
            "reopened": reopened,
        },
    )  # fmt: skip


def rated(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    before: int | None,
    after: int,
    with_comment: bool,
) -> RequestEvent:
    """The requester rated how the request was served (``before`` is ``None`` for a first
    rating). The comment stays on the rating: the history says only whether there was one.
    Internal: colleagues who see the request do not see its rating, and the requester
    sees their own on the rating itself."""
    return _event(
        EventKind.RATED, request_id=request_id, actor_id=actor_id, at=at,
        data={"score": [before, after], "with_comment": with_comment}, public=False,
    )  # fmt: skip


def clarity_rated(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    before: int | None,
    after: int,
    missing: list[str],
) -> RequestEvent:
    """An agent rated how clear the request was, naming the agreement's obligations
    (form field keys) that were missing; internal, so the requester's side never sees it."""
    return _event(
        EventKind.CLARITY_RATED, request_id=request_id, actor_id=actor_id, at=at,
        data={"score": [before, after], "missing": missing}, public=False,
    )  # fmt: skip
