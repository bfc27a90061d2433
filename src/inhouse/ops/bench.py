"""The baseline for `make bench`: a bare Django view that inserts one row.

Only mounted when INHOUSE_BENCH_ENDPOINTS is on (never in production). The
submit figure is read as a ratio to this, so it tracks our own overhead rather
than the machine's speed.
"""

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

BENCH_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_row (id INTEGER PRIMARY KEY, created_at TEXT, payload TEXT)"
)


@csrf_exempt
@require_POST
def insert_one_row(request: HttpRequest) -> JsonResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (created_at, payload) VALUES (%s, %s)",
            [timezone.now().isoformat(), request.body.decode()[:1000]],
        )
        row_id = cursor.lastrowid
    return JsonResponse({"id": row_id}, status=201)
