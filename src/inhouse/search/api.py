"""GET /api/v1/search: one search over everything the caller may see."""

from ninja import Query, Router, Schema
from pydantic import Field

from inhouse.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from inhouse.core.schemas import ErrorOut
from inhouse.org.auth import CallerRequest
from inhouse.search.selectors import MAX_LIMIT, MAX_QUERY, search_and_count

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(max_length=MAX_QUERY, description='Words; "a phrase"; a prefix*.')
    kind: list[str] = Field(default_factory=list, description="Only these kinds.")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    cursor: str | None = None


class HitOut(Schema):
    kind: str
    id: int
    url: str
    title: str
    snippet: str
    snippet_html: str


class CountOut(Schema):
    kind: str
    count: int
    capped: bool


class SearchOut(Schema):
    results: list[HitOut]
    counts: list[CountOut]
    next_cursor: str | None


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    kind, key = decode_cursor(cursor)
    if kind != "search" or len(key) != 1 or not key[0].isdigit():
        raise invalid_cursor()
    return int(key[0])


@router.get("", response={200: SearchOut, 400: ErrorOut, 401: ErrorOut})
def search_everything(request: CallerRequest, params: Query[SearchParams]) -> SearchOut:
    """Ranked matches with highlighted snippets, only of what the caller may see;
    ``counts`` per kind are of the same visible set, ``capped`` when there may be more
    (over 1,000; or requests and comments of a query with over 2,000 matches, searched
    among its most recent ones)."""
    results, counted = search_and_count(
        request.auth, params.q, kinds=params.kind or None, limit=params.limit,
        offset=_offset(params.cursor),
    )  # fmt: skip
    return SearchOut(
        results=[
            HitOut(
                kind=hit.kind,
                id=hit.object_id,
                url=hit.url,
                title=hit.title,
                snippet=hit.snippet,
                snippet_html=str(hit.snippet_html),
            )
            for hit in results.hits
        ],  # fmt: skip
        counts=[
            CountOut(kind=count.kind, count=count.count, capped=count.capped) for count in counted
        ],
        next_cursor=encode_cursor("search", results.next_offset)
        if results.next_offset is not None
        else None,
    )
