"""A refused change as an audit record, whichever door refused it.

A door knows who asked (or that nobody could be identified), the address they used,
and why it was refused; this module turns that into one ``refused_change`` record.
The object is read from the address's parameters, so no door has to say per view
what it was about: ``/work/requests/<reference>/assign/`` is about a request,
``/work/<team_slug>/canned/<reply_id>/`` about a canned reply, ``/ideas/<idea_id>/vote/``
about an idea and ``/kb/<article_slug>/edit/`` about an article.

Only refusals are recorded here: a 403 (the caller may see the object but not do
this to it), a 404 on a write (the object is hidden from the caller or missing;
the two look the same by design) and a 401 (no credentials, or ones not accepted).
Invalid input (400) and stale versions (409) are ordinary answers, not refusals.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from inhouse.audit.models import AuditAction, AuditDoor, AuditRecord
from inhouse.audit.services import record_audit
from inhouse.org.models import Person


@dataclass(frozen=True)
class AuditTarget:
    """The object an audit record is about: its kind, its id and what people call it."""

    kind: str
    id: str = ""
    label: str = ""


# The kind of object an address parameter names. A request is the object of every
# address that names one (a blocker or an attachment is part of what is done to it);
# otherwise the last parameter of the address, the most specific, is the object.
_KIND_OF_PARAMETER = {
    "attachment_id": "attachment",
    "blocker_reference": "request",
    "reply_id": "canned_reply",
    "view_id": "saved_view",
    "notification_id": "notification",
    "team_slug": "team",
    "key": "form_field",
    "day_pk": "closed_day",
    "idea_id": "idea",
    # An article is addressed, and known to its writers, by its slug.
    "article_slug": "article",
    "survey_id": "survey",
    "session_id": "training_session",
}
# Parameters whose meaning depends on which app's address they are in.
_KIND_BY_NAMESPACE = {
    ("slug", "org"): "team",
    ("slug", ""): "service",
    ("pk", "sla"): "calendar",
    ("pk", "catalog"): "agreement",
    ("pk", "org"): "person",
    # The training pages live with the kudos (``kudos:training-session``).
    ("pk", "kudos"): "training_session",
    ("pk", "surveys"): "survey",
    ("slug", "kudos"): "team",
}
_IDS = {
    "attachment_id", "reply_id", "view_id", "notification_id", "day_pk", "pk", "idea_id",
    "survey_id", "session_id",
}  # fmt: skip


def target_named_by(address: Mapping[str, object], *, namespace: str) -> AuditTarget:
    """What the parameters of an address (a URL's keyword arguments) name.

    A request appears by the reference the caller typed, as label; the desk fills
    in its id (``inhouse.desk.audit.target_named_by``). An address with no
    parameters (filing a new request) names no object: the record's words say what
    was tried ("submit a request").
    """
    reference = address.get("reference")
    if reference is not None:
        return AuditTarget(kind="request", label=str(reference).strip().upper())
    for name in reversed(list(address)):
        kind = _KIND_OF_PARAMETER.get(name) or _KIND_BY_NAMESPACE.get(
            (name, namespace), _KIND_BY_NAMESPACE.get((name, ""))
        )
        if kind is None:
            continue
        value = str(address[name])
        return AuditTarget(kind=kind, id=value, label="" if name in _IDS else value)
    return AuditTarget(kind="")


@dataclass(frozen=True)
class RefusedChange:
    """One refused attempt to change something, as a door saw it."""

    door: AuditDoor
    actor: Person | None
    # In words, completed by the object: "change the status of" (request IT-12).
    operation: str
    method: str
    route: str
    path: str
    status: int
    reason: str
    remote_address: str
    # How an unidentified caller tried to authenticate ("none", "bearer token").
    credentials: str = ""


def record_refused_change(refusal: RefusedChange, *, target: AuditTarget) -> AuditRecord:
    """Store the refusal; call it once the refused change's transaction has rolled back.

    Every door calls this from where the refusal leaves the domain (the API's error
    handlers, the pages' helpers): the service's own transaction is over by then, so
    the record stays although the change did not.
    """
    data: dict[str, object] = {
        "method": refusal.method,
        "route": refusal.route,
        "path": refusal.path[:500],
        "status": refusal.status,
        "reason": refusal.reason,
        "remote_address": refusal.remote_address,
    }
    if refusal.credentials:
        data["credentials"] = refusal.credentials
    return record_audit(
        AuditAction.REFUSED_CHANGE,
        actor=refusal.actor,
        target_kind=target.kind,
        target_id=target.id,
        target_label=target.label,
        detail=refusal.operation,
        door=refusal.door.value,
        data=data,
    )
