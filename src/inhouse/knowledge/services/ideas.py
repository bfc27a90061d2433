"""Changes to the ideas forum: propose, vote and unvote, comment, set a status.

Who may do what (the rules in prose; each function checks its own):
- every active person may propose an idea, vote for any idea that is still open (not
  done or declined), remove their own vote at any time, and comment;
- the owning team's leads set an idea's status, always with a public reason; an idea
  directed at everyone is owned by the org admins, who may also set any idea's status.
  Agents do not: a status is the team's public commitment, which is its lead's call.
Every idea is visible to every active person: ideas hold no confidential matter.

The vote counter is exact under concurrency: the vote row and the counter's change
are written in one transaction, the row's unique constraint lets only one of two
simultaneous votes by one person in, and the counter moves by ``F()`` only when a
row was really inserted or deleted, so it never drifts from the rows.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import NotificationKind
from inhouse.desk.outbox import notify
from inhouse.knowledge.models.ideas import (
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from inhouse.org.models import Person, Team
from inhouse.search import changes as search_changes

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_COMMENT = 10_000
MAX_REASON = 2_000


def _require_active(actor: Person) -> None:
    if not actor.is_active:
        raise PermissionDenied(_("Only active people can take part in the ideas forum."))


def _clean(value: str, *, field: str, limit: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput(_("Please fill this in."), fields={field: _("This cannot be empty.")})
    if len(text) > limit:
        message = _("At most %(limit)d characters.") % {"limit": limit}
        raise InvalidInput(message, fields={field: message})
    if "\x00" in text:
        message = _("This text contains a character that cannot be stored.")
        raise InvalidInput(message, fields={field: message})
    return text


def may_set_status(who: Person | policy.Viewer, idea: Idea) -> bool:
    """The owning team's leads (and org admins) answer an idea; everyone's ideas, the admins."""
    viewer = policy.as_viewer(who)
    if idea.owning_team_id is None:
        return viewer.is_admin
    return viewer.is_admin or idea.owning_team_id in viewer.lead_team_ids


def propose_idea(*, actor: Person, title: str, body: str, owning_team: Team | None) -> Idea:
    """Propose an idea directed at ``owning_team`` (an active team), or at everyone."""
    _require_active(actor)
    clean_title = _clean(title, field="title", limit=MAX_TITLE, required=True)
    clean_body = _clean(body, field="body", limit=MAX_BODY, required=False)
    if owning_team is not None and not owning_team.is_active:
        raise InvalidInput(_("That team no longer exists."), fields={"team": _("No such team.")})
    with transaction.atomic():
        idea = Idea.objects.create(
            title=clean_title, body=clean_body, proposer=actor, owning_team=owning_team
        )
        search_changes.changed("idea", idea.pk)
    return idea


def vote_for_idea(*, actor: Person, idea: Idea) -> bool:
    """Add ``actor``'s vote; returns whether it is new (voting twice changes nothing).

    A done or declined idea takes no new votes (``Conflict``).
    """
    _require_active(actor)
    with transaction.atomic():
        current = Idea.objects.filter(pk=idea.pk).values_list("status", flat=True).first()
        if current is None:
            raise NotFound(_("No such idea."))
        if current in (IdeaStatus.DONE, IdeaStatus.DECLINED):
            raise Conflict(_("This idea is closed and takes no more votes."))
        try:
            # A savepoint, so the refused duplicate leaves the outer transaction usable.
            with transaction.atomic():
                IdeaVote.objects.create(idea_id=idea.pk, person=actor)
        except IntegrityError:
            # Already voted, perhaps a moment ago in another tab: one vote it stays.
            return False
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    return True


def remove_vote_for_idea(*, actor: Person, idea: Idea) -> bool:
    """Take back ``actor``'s vote; returns whether there was one to take back."""
    _require_active(actor)
    with transaction.atomic():
        removed, _by_kind = IdeaVote.objects.filter(idea_id=idea.pk, person=actor).delete()
        if not removed:
            return False
        # Only the transaction that deleted the row moves the counter, so two removals
        # at once take one vote off, not two.
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") - 1)
    return True


def comment_on_idea(*, actor: Person, idea: Idea, body: str) -> IdeaComment:
    """Add a comment (Markdown, kept as written, shown sanitised)."""
    _require_active(actor)
    clean_body = _clean(body, field="body", limit=MAX_COMMENT, required=True)
    with transaction.atomic():
        comment = IdeaComment.objects.create(idea_id=idea.pk, author=actor, body=clean_body)
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        search_changes.changed("idea", idea.pk)
    return comment


def set_idea_status(*, actor: Person, idea: Idea, status: str, reason: str) -> Idea:
    """The owning team answers: a new status with its public reason, kept in the idea's
    history; the proposer and every voter hear of it (except the actor)."""
    _require_active(actor)
    viewer = policy.viewer_for(actor)
    if status not in IdeaStatus.values:
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(IdeaStatus.values)}
        raise InvalidInput(message, fields={"status": message})
    clean_reason = _clean(reason, field="reason", limit=MAX_REASON, required=True)
    with transaction.atomic():
        locked = Idea.objects.select_for_update().filter(pk=idea.pk).first()
        if locked is None:
            raise NotFound(_("No such idea."))
        if not may_set_status(viewer, locked):
            raise PermissionDenied(
                _("Only the leads of the team that owns this idea can set its status.")
            )
        if status == locked.status:
            message = _("The idea is already %(status)s.") % {
                "status": IdeaStatus(status).label.lower()
            }
            raise InvalidInput(message, fields={"status": message})
        now = timezone.now()
        IdeaStatusChange.objects.create(
            idea=locked,
            actor=actor,
            from_status=locked.status,
            to_status=status,
            reason=clean_reason,
            created_at=now,
        )
        locked.status = status
        locked.status_reason = clean_reason
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_reason", "status_changed_at"])
        search_changes.changed("idea", locked.pk)
        voters = IdeaVote.objects.filter(idea_id=locked.pk).values("person_id")
        notify(
            Q(pk=locked.proposer_id) | Q(pk__in=voters),
            request=None,
            kind=NotificationKind.IDEA_STATUS,
            params={"idea": locked.pk, "title": locked.title, "status": status},
            actor=actor,
        )
    return locked
