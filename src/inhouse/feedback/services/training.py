"""Training on working together: a provider team's lead announces sessions, people sign
up and cancel, are reminded, and rate a session once it has ended.

A seat is claimed with one conditional UPDATE (``seats_taken < capacity``), so however
many people sign up at once, no session takes more than its capacity; the sign-up row
and its seat are written in one transaction, so neither exists without the other.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import NotificationKind
from inhouse.desk.outbox import notify
from inhouse.feedback.models import TrainingSession, TrainingSignup
from inhouse.feedback.selectors.training import may_attend
from inhouse.org.models import Person, Team


@dataclass(frozen=True)
class SessionDetails:
    """What a lead says about a session when announcing or changing it."""

    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    description: str = ""
    place: str = ""
    link: str = ""
    audience_teams: Collection[Team] = ()


def _check_details(details: SessionDetails, *, seats_taken: int = 0) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = _("Give the session a title.")
    if details.ends_at <= details.starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    if details.capacity < 1:
        errors["capacity"] = _("A session needs at least one seat.")
    elif details.capacity < seats_taken:
        errors["capacity"] = _("%(count)d people have signed up already.") % {"count": seats_taken}
    if not details.place.strip() and not details.link.strip():
        errors["place"] = _("Say where it happens: a place, a link, or both.")
    if details.link and not details.link.startswith(("https://", "http://")):
        errors["link"] = _("Give a web address starting with https://.")
    return errors


def schedule_training_session(
    *, actor: Person, provider_team: Team, details: SessionDetails
) -> TrainingSession:
    """Announce a session of ``provider_team``; only its leads (and admins) may."""
    if not policy.can_manage_team(actor, provider_team):
        raise PermissionDenied(_("Only the team's leads announce its training sessions."))
    errors = _check_details(details)
    if details.starts_at <= timezone.now():
        errors.setdefault("starts_at", _("Choose a time in the future."))
    if errors:
        raise InvalidInput(_("The session needs a few changes."), fields=errors)
    with transaction.atomic():
        session = TrainingSession.objects.create(
            provider_team=provider_team,
            title=details.title.strip(),
            description=details.description.strip(),
            starts_at=details.starts_at,
            ends_at=details.ends_at,
            place=details.place.strip(),
            link=details.link.strip(),
            capacity=details.capacity,
            created_by=actor,
        )
        session.audience_teams.set(details.audience_teams)
    return session


def update_training_session(
    *, actor: Person, session: TrainingSession, details: SessionDetails
) -> TrainingSession:
    """Change a session's details; its capacity never drops below the seats taken."""
    if not policy.can_manage_team(actor, session.provider_team):
        raise PermissionDenied(_("Only the team's leads change its training sessions."))
    with transaction.atomic():
        # Locked so a sign-up cannot take a seat between the check and the save.
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        errors = _check_details(details, seats_taken=locked.seats_taken)
        if errors:
            raise InvalidInput(_("The session needs a few changes."), fields=errors)
        locked.title = details.title.strip()
        locked.description = details.description.strip()
        locked.starts_at = details.starts_at
        locked.ends_at = details.ends_at
        locked.place = details.place.strip()
        locked.link = details.link.strip()
        locked.capacity = details.capacity
        locked.save(
            update_fields=[
                "title",
                "description",
                "starts_at",
                "ends_at",
                "place",
                "link",
                "capacity",
            ]
        )
        locked.audience_teams.set(details.audience_teams)
    return locked


def _check_may_attend(actor: Person, session: TrainingSession) -> None:
    if not may_attend(policy.viewer_for(actor), session):
        raise NotFound(_("No such training session."))


def sign_up_for_training(*, actor: Person, session: TrainingSession) -> TrainingSignup:
    """Take a seat in an upcoming session; signing up twice keeps the one seat."""
    _check_may_attend(actor, session)
    if session.starts_at <= timezone.now():
        raise Conflict(_("This session has already started."))
    existing = TrainingSignup.objects.filter(session=session, person=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            signup = TrainingSignup.objects.create(session=session, person=actor)
            claimed = TrainingSession.objects.filter(
                pk=session.pk, seats_taken__lt=F("capacity")
            ).update(seats_taken=F("seats_taken") + 1)
            if not claimed:
                raise Conflict(_("This session is full."))
    except IntegrityError:
        # The same person signing up twice at once: the other call took the seat.
        return TrainingSignup.objects.get(session=session, person=actor)
    return signup


def cancel_training_signup(*, actor: Person, session: TrainingSession) -> bool:
    """Give up one's seat before the session starts; returns whether there was one."""
    _check_may_attend(actor, session)
    if session.starts_at <= timezone.now():
        raise Conflict(_("This session has already started."))
    with transaction.atomic():
        deleted, _rows = TrainingSignup.objects.filter(session=session, person=actor).delete()
        if deleted:
            TrainingSession.objects.filter(pk=session.pk, seats_taken__gt=0).update(
                seats_taken=F("seats_taken") - 1
            )
    return bool(deleted)


def rate_training_session(
    *, actor: Person, session: TrainingSession, rating: int
) -> TrainingSignup:
    """Rate a session one attended (1–5), once it has ended; a new rating replaces the old."""
    _check_may_attend(actor, session)
    if not 1 <= rating <= 5:
        raise InvalidInput(_("Rate the session from 1 to 5."), fields={"rating": _("From 1 to 5.")})
    if session.ends_at > timezone.now():
        raise Conflict(_("You can rate the session once it has ended."))
    signup = TrainingSignup.objects.filter(session=session, person=actor).first()
    if signup is None:
        raise PermissionDenied(_("Only people who signed up rate a session."))
    signup.rating = rating
    signup.rated_at = timezone.now()
    signup.save(update_fields=["rating", "rated_at"])
    return signup


def send_training_reminders(*, now: datetime) -> int:
    """Remind everyone signed up for a session starting within ``TRAINING_REMINDER_HOURS``;
    returns how many were reminded.

    Each sign-up is claimed with a conditional UPDATE on ``reminded_at``, so a rerun or
    a second worker reminds nobody twice.
    """
    horizon = now + timedelta(hours=settings.TRAINING_REMINDER_HOURS)
    due = TrainingSignup.objects.filter(
        reminded_at__isnull=True, session__starts_at__gt=now, session__starts_at__lte=horizon
    ).values_list("pk", "session_id", "person_id")
    by_session: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for signup_id, session_id, person_id in due:
        by_session[session_id].append((signup_id, person_id))
    sessions = TrainingSession.objects.select_related("provider_team").in_bulk(list(by_session))
    reminded = 0
    for session_id, signups in sorted(by_session.items()):
        session = sessions[session_id]
        with transaction.atomic():
            claimed = [
                person_id
                for signup_id, person_id in signups
                if TrainingSignup.objects.filter(pk=signup_id, reminded_at__isnull=True).update(
                    reminded_at=now
                )
            ]
            if not claimed:
                continue
            notify(
                Q(pk__in=claimed),
                request=None,
                kind=NotificationKind.TRAINING_REMINDER,
                params={
                    "session_id": session.pk,
                    "title": session.title,
                    "team": session.provider_team.name,
                },
            )
            reminded += len(claimed)
    return reminded
