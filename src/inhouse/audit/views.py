"""The admin's audit pages: search the records, and export what the search found as CSV.

Only org admins reach them; to anyone else they do not exist (404), as with every
page that is only for the people allowed to use it.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from inhouse.audit.export import csv_lines
from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.audit.selectors import (
    AuditFilters,
    audit_records_for_export,
    may_read_audit,
    page_of_audit_records,
    read_audit_filters,
)
from inhouse.core.errors import InvalidInput
from inhouse.core.pagination import KeysetPage

RECORDS_PER_PAGE = 50


def _require_audit_reader(request: HttpRequest) -> None:
    if not may_read_audit(getattr(request.user, "person", None)):
        raise Http404


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Records newest first, filtered as the form says, a page at a time."""
    _require_audit_reader(request)
    cursor = request.GET.get("cursor") or None
    errors: dict[str, str] = {}
    try:
        filters = read_audit_filters(request.GET)
        page = page_of_audit_records(filters, cursor=cursor, limit=RECORDS_PER_PAGE)
    except InvalidInput as exc:
        errors = exc.fields or {"": exc.message}
        filters = AuditFilters()
        page = KeysetPage[AuditRecord](items=[], next_cursor=None)
    querystring = urlencode(filters.querystring_items())
    context: dict[str, Any] = {
        "page": page,
        "cursor": cursor,
        "params": request.GET,
        "errors": errors,
        "querystring": querystring,
        "actions": AuditAction.choices,
        "timezone_name": timezone.get_current_timezone_name(),
    }
    return render(request, "audit/list.html", context, status=400 if errors else 200)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every record the filters match, newest first, as CSV streamed while it is read."""
    _require_audit_reader(request)
    try:
        filters = read_audit_filters(request.GET)
    except InvalidInput as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        csv_lines(audit_records_for_export(filters)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
