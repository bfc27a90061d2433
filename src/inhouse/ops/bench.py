"""The floors for `make bench`: bare Django views doing the least each real endpoint must.

Only mounted when INHOUSE_BENCH_ENDPOINTS is on (never in production). The real
figures are read as ratios to these, measured in the same run under the same
server, so they track Inhouse's own overhead rather than the machine's speed:

- ``insert_one_row``: the submit floor, one token look-up and one INSERT.
- ``page_of_rows``: the list floor, one token look-up and one indexed SELECT of a
  page of a team's requests, newest first.
"""

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from inhouse.org.models import ApiToken

BENCH_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_row (id INTEGER PRIMARY KEY, created_at TEXT, payload TEXT)"
)
BENCH_TABLE_SQL_POSTGRESQL = (
    "CREATE TABLE IF NOT EXISTS bench_row (id SERIAL PRIMARY KEY, created_at TEXT, payload TEXT)"
)
PAGE_SIZE = 25


def _token_person_id(request: HttpRequest) -> int | None:
    """The one look-up any authenticated endpoint needs: the token's digest to a person."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return (
        ApiToken.objects.filter(
            digest=ApiToken.digest_of(header.removeprefix("Bearer ")), revoked_at__isnull=True
        )
        .values_list("person_id", flat=True)
        .first()
    )


def _unauthorized() -> JsonResponse:
    return JsonResponse({"error": {"code": "unauthorized"}}, status=401)


@csrf_exempt
@require_POST
def insert_one_row(request: HttpRequest) -> JsonResponse:
    person_id = _token_person_id(request)
    if person_id is None:
        return _unauthorized()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (created_at, payload) VALUES (%s, %s) RETURNING id",
            [timezone.now().isoformat(), request.body.decode()[:1000]],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id, "person": person_id}, status=201)


@require_GET
def page_of_rows(request: HttpRequest, team_id: int) -> JsonResponse:
    """A page of one team's requests, newest first: a range scan of ``req_team_recent``."""
    if _token_person_id(request) is None:
        return _unauthorized()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, reference, subject, status, priority, created_at, resolution_due_at "
            "FROM desk_request WHERE provider_team_id = %s ORDER BY id DESC LIMIT %s",
            [team_id, PAGE_SIZE],
        )
        columns = [column[0] for column in cursor.description]
        items = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"items": items})


urlpatterns: list[URLPattern] = [
    path("bench/insert", insert_one_row),
    path("bench/page/<id:team_id>", page_of_rows),
]
