"""Rating a request from both sides: the requester's rating of how it was served, and
an agent's rating of how clear the request was.

Each writes one row per request (created, or updated in place) and a history event
in the same transaction, under the request's row lock, so two saves at once are
applied one after the other and the history's chain stays whole. Permission comes
from ``inhouse.policy``: a request the actor may not see is not found; one they see
but may not rate is refused, and nothing changes.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk import events
from inhouse.desk.models import Request
from inhouse.feedback.models import ClarityRating, Rating
from inhouse.feedback.models.ratings import HIGHEST_SCORE, LOWEST_SCORE
from inhouse.feedback.selectors.ratings import (
    RATING_CHANGE_WINDOW,
    is_rateable,
    rating_is_changeable,
)
from inhouse.org.models import Person

MAX_RATING_COMMENT = 2_000


def _check_score(score: object) -> int:
    # bool is an int to Python; a checkbox's True is not a score.
    if isinstance(score, bool) or not isinstance(score, int):
        raise InvalidInput("The score must be a whole number.", fields={"score": "Choose 1 to 5."})
    if not LOWEST_SCORE <= score <= HIGHEST_SCORE:
        raise InvalidInput(
            f"The score must be between {LOWEST_SCORE} and {HIGHEST_SCORE}.",
            fields={"score": "Choose 1 to 5."},
        )
    return score


def _clean_comment(comment: object) -> str:
    if not isinstance(comment, str):
        raise InvalidInput("The comment must be text.", fields={"comment": "Must be text."})
    cleaned = comment.strip()
    if len(cleaned) > MAX_RATING_COMMENT:
        raise InvalidInput(
            "The comment is too long.",
            fields={"comment": f"Keep it under {MAX_RATING_COMMENT} characters."},
        )
    return cleaned


def _lock_visible(viewer: policy.Viewer, request: Request) -> Request:
    """The request re-read under its row lock, if the viewer still sees it: it may have
    been transferred (or its visibility changed) since the caller loaded it."""
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .get(pk=request.pk)
    )
    if not policy.can_view_request(viewer, locked):
        raise NotFound()
    return locked


def _check_resolved(request: Request) -> None:
    if not is_rateable(request):
        raise Conflict("A request can be rated once it is resolved.")


def rate_request(*, actor: Person, request: Request, score: int, comment: str = "") -> Rating:
    """Give or change the requester's rating of ``request``: ``score`` 1–5, a comment.

    Only the requester rates, once the request is resolved (or closed after being
    resolved). A rating can be changed for ``RATING_CHANGE_WINDOW`` after it was
    given; after a reopened request is resolved again the next rating replaces it and
    its window starts afresh. Saving what is already there changes nothing.
    """
    viewer = policy.viewer_for(actor)
    score = _check_score(score)
    comment = _clean_comment(comment)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_visible(viewer, request)
        if locked.requester_id != actor.pk:
            raise PermissionDenied("Only the person who asked for this request can rate it.")
        _check_resolved(locked)
        rating = Rating.objects.filter(request=locked).first()
        if rating is not None and rating.score == score and rating.comment == comment:
            return rating
        if rating is not None and not rating_is_changeable(rating, locked, now=now):
            given = date_format(rating.given_at, "DATE_FORMAT")
            raise Conflict(
                f"A rating can be changed for {RATING_CHANGE_WINDOW.days} days after it is "
                f"given; this one was given on {given}."
            )
        before = rating.score if rating is not None else None
        if rating is None:
            rating = Rating(request=locked, rated_by=actor, given_at=now)
        elif locked.resolved_at is not None and locked.resolved_at > rating.given_at:
            # Resolved again since: this rates the latest resolution, with a new window.
            rating.given_at = now
        rating.provider_team_id = locked.provider_team_id
        rating.service_id = locked.service_id
        rating.score = score
        rating.comment = comment
        rating.updated_at = now
        rating.save()
        events.record(
            locked,
            events.rated(
                request_id=locked.pk,
                actor_id=actor.pk,
                at=now,
                before=before,
                after=score,
                with_comment=bool(comment),
            ),
        )
        events.save_chain_head(locked)
    return rating


def rate_clarity(
    *, actor: Person, request: Request, score: int, missing_obligations: Sequence[str] = ()
) -> ClarityRating:
    """Give or change the provider's rating of how clear and complete ``request`` was:
    ``score`` 1–5 and which of its agreement's customer obligations were missing.

    Only agents of the team holding the request rate it (``policy.can_work_request``),
    once it is resolved. The rating is internal: the requester's side never sees it,
    only their team's aggregate (``feedback.selectors.ratings.team_clarity_for``).
    """
    viewer = policy.viewer_for(actor)
    score = _check_score(score)
    if isinstance(missing_obligations, str) or not all(
        isinstance(key, str) for key in missing_obligations
    ):
        raise InvalidInput(
            "Missing obligations are a list of form field keys.",
            fields={"missing_obligations": "A list of the agreement's obligations."},
        )
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_visible(viewer, request)
        if not policy.can_work_request(viewer, locked):
            raise PermissionDenied(
                "Only the agents of the team handling this request can rate its clarity."
            )
        _check_resolved(locked)
        obligations = list(locked.agreement.customer_obligations) if locked.agreement else []
        unknown = sorted(set(missing_obligations) - set(obligations))
        if unknown:
            offered = ", ".join(obligations) or "none"
            raise InvalidInput(
                f"Not obligations of this request's agreement: {', '.join(unknown)}.",
                fields={"missing_obligations": f"Choose among: {offered}."},
            )
        # In the agreement's order, each once, whatever order they were sent in.
        missing = [key for key in obligations if key in set(missing_obligations)]
        clarity = ClarityRating.objects.filter(request=locked).first()
        if (
            clarity is not None
            and clarity.score == score
            and clarity.missing_obligations == missing
        ):
            return clarity
        before = clarity.score if clarity is not None else None
        if clarity is None:
            clarity = ClarityRating(request=locked, rated_at=now)
        clarity.rated_by = actor
        clarity.provider_team_id = locked.provider_team_id
        clarity.customer_team_id = locked.customer_team_id
        clarity.score = score
        clarity.missing_obligations = missing
        clarity.updated_at = now
        clarity.save()
        events.record(
            locked,
            events.clarity_rated(
                request_id=locked.pk,
                actor_id=actor.pk,
                at=now,
                before=before,
                after=score,
                missing=missing,
            ),
        )
        events.save_chain_head(locked)
    return clarity
