"""Kudos: thanking a colleague or a team, the recipient's sharing choice, and the
weekly digest to managers.

Rules:
- anyone active thanks an active person or team, never themselves;
- a kudos may name a request the sender asked for or watches and may still see, and
  only to someone who served it (its provider team, an assignee or a member of that
  team); any other request, seen or not, gets the same refusal, so a refusal never
  tells whether a reference exists;
- a sender sends at most ``KUDOS_DAILY_CAP`` kudos in 24 hours; the sender's row is
  locked while counting, so parallel sends cannot slip past the cap;
- a manager hears of kudos to a report once a week, only if the report chose to share;
- a team's manager hears of kudos to the team the same way, only if the team's leads
  chose to share. A team's manager is whoever leads the team it belongs to (its parent:
  the department head hears of the teams in the department); a team with no parent, or
  whose parent has no lead, has nobody above it, so its own leads get the digest. One
  digest per manager and week counts both.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.core.errors import DomainError, InvalidInput, NotFound
from inhouse.desk.models import NotificationKind, Request
from inhouse.desk.outbox import notify
from inhouse.desk.selectors.requests import get_request_for
from inhouse.feedback.models import Kudos, KudosDigest, KudosSetting, TeamKudosSetting
from inhouse.feedback.models.kudos import KUDOS_MESSAGE_MAX_LENGTH
from inhouse.org.models import Membership, MembershipRole, Person, Team

CAP_WINDOW = timedelta(hours=24)


class KudosCapReached(DomainError):
    """The sender has sent as many kudos as a day allows."""

    code = "kudos_cap_reached"
    status = 429


def _clean_message(message: str) -> str:
    text = message.strip()
    if not text:
        raise InvalidInput(
            _("Write a few words of thanks."), fields={"message": _("This field is required.")}
        )
    if len(text) > KUDOS_MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            _("The message is too long."),
            fields={
                "message": _("At most %(max)d characters.") % {"max": KUDOS_MESSAGE_MAX_LENGTH}
            },
        )
    return text


def _check_recipient(actor: Person, to_person: Person | None, to_team: Team | None) -> None:
    if (to_person is None) == (to_team is None):
        raise InvalidInput(
            _("Thank one person or one team."),
            fields={"recipient": _("Choose a person or a team, not both.")},
        )
    if to_person is not None and to_person.pk == actor.pk:
        raise InvalidInput(
            _("Kudos are for others: you cannot send them to yourself."),
            fields={"recipient": _("Choose someone else.")},
        )
    recipient = to_person or to_team
    if recipient is not None and not recipient.is_active:
        raise InvalidInput(
            _("They are no longer active."), fields={"recipient": _("Choose someone active.")}
        )


def _request_served_to(
    actor: Person, reference: str, to_person: Person | None, to_team: Team | None
) -> Request:
    """The request the kudos is for, if the actor was served by it and the recipient served it."""
    refusal = InvalidInput(
        _("Kudos can name only a request you asked for or watch."),
        fields={"request": _("Choose one of your own requests.")},
    )
    viewer = policy.viewer_for(actor)
    try:
        request = get_request_for(viewer, reference)
    except NotFound as exc:  # hidden and missing look the same
        raise refusal from exc
    served = request.requester_id == actor.pk or request.watchers.filter(pk=actor.pk).exists()
    if not served:
        raise refusal
    if to_team is not None:
        served_by_them = to_team.pk == request.provider_team_id
    else:
        assert to_person is not None
        served_by_them = (
            request.assignee_id == to_person.pk
            or Membership.objects.filter(
                person=to_person, team_id=request.provider_team_id
            ).exists()
        )
    if not served_by_them:
        raise InvalidInput(
            _("They did not work on that request."),
            fields={"request": _("Thank the team or a person who served this request.")},
        )
    return request


def grant_kudos(
    *,
    actor: Person,
    message: str,
    to_person: Person | None = None,
    to_team: Team | None = None,
    request_reference: str | None = None,
) -> Kudos:
    """Thank ``to_person`` or ``to_team``, optionally for a request; see the module's rules."""
    text = _clean_message(message)
    _check_recipient(actor, to_person, to_team)
    request = (
        _request_served_to(actor, request_reference, to_person, to_team)
        if request_reference
        else None
    )
    now = timezone.now()
    with transaction.atomic():
        # Serialises one sender's sends, so two at once both see the other in the count.
        Person.objects.select_for_update().filter(pk=actor.pk).first()
        sent_recently = Kudos.objects.filter(sender=actor, created_at__gt=now - CAP_WINDOW).count()
        if sent_recently >= settings.KUDOS_DAILY_CAP:
            raise KudosCapReached(
                _(
                    "You have sent %(cap)d kudos in the last 24 hours, as many as a day "
                    "allows. Your thanks can wait until tomorrow."
                )
                % {"cap": settings.KUDOS_DAILY_CAP}
            )
        return Kudos.objects.create(
            sender=actor,
            recipient_person=to_person,
            recipient_team=to_team,
            request=request,
            message=text,
            created_at=now,
        )


def set_kudos_sharing(*, actor: Person, share_with_manager: bool) -> KudosSetting:
    """Record whether the actor's manager hears, weekly, of the kudos the actor receives."""
    setting, _created = KudosSetting.objects.update_or_create(
        person=actor,
        defaults={"share_with_manager": share_with_manager, "updated_at": timezone.now()},
    )
    return setting


def set_team_kudos_sharing(
    *, actor: Person, team: Team, share_with_manager: bool
) -> TeamKudosSetting:
    """Record, for one of the actor's teams as its lead (or as an admin), whether the
    team's manager hears, weekly, of the kudos to the team (``NotFound`` for anyone else:
    the choice is the team's, as a person's is their own)."""
    if not policy.can_manage_team(actor, team):
        raise NotFound()
    setting, _created = TeamKudosSetting.objects.update_or_create(
        team=team,
        defaults={
            "share_with_manager": share_with_manager,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    return setting


def team_managers(team_ids: set[int], parent_ids: dict[int, int | None]) -> dict[int, set[int]]:
    """The ids of the people who hear of kudos to each team: the active leads of its
    parent, or its own active leads when it has no parent or the parent has no lead.
    One query."""
    led = set(team_ids) | {parent for parent in parent_ids.values() if parent is not None}
    leads: dict[int, set[int]] = defaultdict(set)
    for team_id, person_id in Membership.objects.filter(
        team_id__in=led, role=MembershipRole.LEAD, person__is_active=True
    ).values_list("team_id", "person_id"):
        leads[team_id].add(person_id)
    managers: dict[int, set[int]] = {}
    for team_id in team_ids:
        parent = parent_ids.get(team_id)
        managers[team_id] = (
            leads.get(parent, set()) if parent is not None else set()
        ) or leads.get(team_id, set())
    return managers


def week_starting(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def send_weekly_kudos_digests(*, week_start: date) -> int:
    """Write each manager's digest of the kudos their sharing reports and teams received
    in the week (UTC) from ``week_start``; returns how many digests were written.

    Idempotent: a digest is claimed by inserting its (manager, week) row, which the
    unique constraint allows once, so a rerun or a second worker writes nothing new.
    """
    start = datetime.combine(week_start, time.min, tzinfo=UTC)
    received = (
        Kudos.objects.filter(
            created_at__gte=start,
            created_at__lt=start + timedelta(days=7),
            recipient_person__kudos_setting__share_with_manager=True,
            recipient_person__manager__isnull=False,
            recipient_person__manager__is_active=True,
        )
        .order_by("recipient_person__full_name")
        .values_list("recipient_person__manager_id", "recipient_person__full_name")
    )
    by_manager: dict[int, list[str]] = defaultdict(list)
    for manager_id, report_name in received:
        if manager_id is not None:  # excluded by the filter; the type cannot know
            by_manager[manager_id].append(report_name)
    to_teams = list(
        Kudos.objects.filter(
            created_at__gte=start,
            created_at__lt=start + timedelta(days=7),
            recipient_team__kudos_setting__share_with_manager=True,
        )
        .order_by("recipient_team__name")
        .values_list("recipient_team_id", "recipient_team__name", "recipient_team__parent_id")
    )
    managers = team_managers(
        {team_id for team_id, _name, _parent in to_teams},
        {team_id: parent_id for team_id, _name, parent_id in to_teams},
    )
    for team_id, team_name, _parent in to_teams:
        for manager_id in managers[team_id]:
            by_manager[manager_id].append(team_name)
    written = 0
    for manager_id, names in sorted(by_manager.items()):
        with transaction.atomic():
            _digest, created = KudosDigest.objects.get_or_create(
                manager_id=manager_id,
                week_start=week_start,
                defaults={"kudos_count": len(names)},
            )
            if not created:
                continue
            notify(
                Q(pk=manager_id),
                request=None,
                kind=NotificationKind.KUDOS_DIGEST,
                params={
                    "count": len(names),
                    "names": ", ".join(dict.fromkeys(names)),
                    "week_start": week_start.isoformat(),
                },
            )
            written += 1
    return written
