"""Requests and comments: found only by those who may see them (``policy``).

Each document copies its request's scope, so the permission filter is the policy's
ways of seeing a request asked of the index row itself: filed it, watches it, works
the team's queue, or belongs to the customer team of a non-confidential request.
Internal notes are found only by the request team's agents (and admins).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inhouse.desk.models import Comment, Request
from inhouse.policy import Viewer
from inhouse.search.registry import DocumentScope, IndexRow, SearchKind, clean, register


def _answer_texts(answers: dict[str, Any] | None) -> list[str]:
    """The words of the text and choice answers; people, teams and files are ids."""
    texts: list[str] = []
    for value in (answers or {}).values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.extend(item for item in value if isinstance(item, str))
    return texts


def request_visible(viewer: Viewer) -> Q:
    if viewer.is_admin:
        return Q()
    watched = Request.watchers.through.objects.filter(person_id=viewer.person_id).values(
        "request_id"
    )
    return (
        Q(person_id=viewer.person_id)
        | Q(request_id__in=watched)
        | Q(team_id__in=viewer.queue_team_ids)
        | Q(customer_team_id__in=viewer.team_ids, confidential=False)
    )


def comment_visible(viewer: Viewer) -> Q:
    if viewer.is_admin:
        return Q()
    return request_visible(viewer) & (Q(internal=False) | Q(team_id__in=viewer.queue_team_ids))


def _request_url(viewer: Viewer, scope: DocumentScope) -> str:
    # Agents work a request on their workspace page; everyone else reads the portal's.
    if viewer.is_admin or scope.team_id in viewer.queue_team_ids:
        return scope.url.replace("/requests/", "/work/requests/", 1)
    return scope.url


def _all_requests() -> QuerySet[Any, int]:
    return Request.objects.order_by("pk").values_list("pk", flat=True)


def _request_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    requests = Request.objects.filter(pk__in=ids).only(
        "reference", "subject", "description", "form_answers", "provider_team_id",
        "customer_team_id", "requester_id", "confidential",
    )  # fmt: skip
    for request in requests:
        yield IndexRow(
            object_id=request.pk,
            title=clean(f"{request.reference} {request.subject}"),
            body=clean("\n".join([request.description, *_answer_texts(request.form_answers)])),
            url=f"/requests/{request.reference}/",
            team_id=request.provider_team_id,
            customer_team_id=request.customer_team_id,
            person_id=request.requester_id,
            request_id=request.pk,
            confidential=request.confidential,
        )


def _comments_of(request_ids: Sequence[int]) -> dict[str, list[int]]:
    ids = Comment.objects.filter(request_id__in=request_ids).values_list("pk", flat=True)
    return {"comment": list(ids)}


def _all_comments() -> QuerySet[Any, int]:
    return Comment.objects.order_by("pk").values_list("pk", flat=True)


def _comment_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    comments = Comment.objects.filter(pk__in=ids).select_related("request").only(
        "body", "is_public", "request__reference",
        "request__provider_team_id", "request__customer_team_id", "request__requester_id",
        "request__confidential",
    )  # fmt: skip
    for comment in comments:
        request = comment.request
        yield IndexRow(
            object_id=comment.pk,
            # The request's words are the request's own hit: a comment is found by its body.
            title=request.reference,
            body=clean(comment.body),
            url=f"/requests/{request.reference}/#comment-{comment.pk}",
            team_id=request.provider_team_id,
            customer_team_id=request.customer_team_id,
            person_id=request.requester_id,
            request_id=request.pk,
            confidential=request.confidential,
            internal=not comment.is_public,
        )


register(
    SearchKind(
        name="request",
        label=_("Requests"),
        all_ids=_all_requests,
        rows=_request_rows,
        visible=request_visible,
        dependents=_comments_of,
        url_for=_request_url,
        order=20,
    )
)
register(
    SearchKind(
        name="comment",
        label=_("Comments"),
        all_ids=_all_comments,
        rows=_comment_rows,
        visible=comment_visible,
        url_for=_request_url,
        order=30,
    )
)
