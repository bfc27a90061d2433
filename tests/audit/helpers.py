"""What the audit's tests share: callers at each door, and the records they leave."""

import json

from django.test import Client
from tests.desk.helpers import submit

from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.desk.models import Request
from inhouse.org.models import ApiToken, Person


def bearer(person: Person) -> Client:
    raw = f"ih_test_token_for_{person.pk}_0123456789abcdef"
    ApiToken.objects.create(person=person, prefix=raw[:10], digest=ApiToken.digest_of(raw))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_json(client: Client, url: str, body: object, **headers: str):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def patch_json(client: Client, url: str, body: object, **headers: str):
    return client.patch(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def mediation(cast) -> Request:
    """rita's confidential HR case: only she and People Partners' agents see it."""
    return submit(
        cast,
        service=cast.mediation,
        subject="Conflict with my manager",
        form_answers={"summary": "It started in March."},
    )


def refusals() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=AuditAction.REFUSED_CHANGE).order_by("pk"))


def confidential_views() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=AuditAction.CONFIDENTIAL_VIEW).order_by("pk"))
