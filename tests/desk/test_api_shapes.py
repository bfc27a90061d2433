"""The request answers are built without validating them again: they must be exactly
what validating the same values would give, with every part of a request filled in."""

import json
import warnings
from typing import Any

import pytest
from ninja.responses import NinjaJSONEncoder
from tests.desk.test_api import bearer, patch_json, post_json

from inhouse import policy
from inhouse.desk import selectors
from inhouse.desk import services as desk
from inhouse.desk.api._shared import request_detail
from inhouse.desk.schemas import RequestDetailOut

pytestmark = pytest.mark.django_db


def _validated_again(detail: RequestDetailOut) -> RequestDetailOut:
    with warnings.catch_warnings():
        # A value of the wrong type would show up as a serialisation warning.
        warnings.simplefilter("error")
        return RequestDetailOut.model_validate(detail.model_dump())


def _as_sent(detail: RequestDetailOut) -> dict[str, Any]:
    """The JSON ninja sends for ``detail``, without the one figure that moves with the
    clock between two reads (the seconds a clock has left)."""
    sent = json.loads(json.dumps(detail.model_dump(), cls=NinjaJSONEncoder))
    for clock in sent["clocks"]:
        del clock["remaining_seconds"]
    return sent


def _without_remaining(body: dict[str, Any]) -> dict[str, Any]:
    for clock in body["clocks"]:
        del clock["remaining_seconds"]
    return body


def test_a_full_request_answers_as_validation_would_have_built_it(cast):
    rita, alex = bearer(cast.rita), bearer(cast.alex)
    blocker = post_json(rita, "/api/v1/requests", {"service": "printer", "subject": "Toner"})
    parent = post_json(rita, "/api/v1/requests", {"service": "printer", "subject": "Floor 3"})
    created = post_json(
        rita,
        "/api/v1/requests",
        {
            "service": "printer",
            "subject": "Printer jams",
            "description": "Every second page.",
            "parent": parent.json()["reference"],
        },
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    patched = patch_json(
        alex,
        f"/api/v1/requests/{reference}",
        {"assignee": cast.alex.pk, "blocked_by": [blocker.json()["reference"]]},
        **{"If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.content
    found = selectors.get_request_for(cast.rita, reference)
    desk.add_watcher(actor=cast.rita, request=found, watcher=cast.carl)

    answer = rita.get(f"/api/v1/requests/{reference}")
    found = selectors.get_request_for(cast.rita, reference)
    detail = request_detail(policy.viewer_for(cast.rita), found)
    validated = _validated_again(detail)

    assert detail.model_dump() == validated.model_dump()
    assert detail.model_dump_json() == validated.model_dump_json()
    body = answer.json()
    assert _without_remaining(answer.json()) == _as_sent(validated)
    assert body["assignee"] == {
        "id": cast.alex.pk,
        "full_name": cast.alex.full_name,
        "email": cast.alex.email,
    }
    assert body["parent"]["reference"] == parent.json()["reference"]
    assert [link["reference"] for link in body["blocked_by"]] == [blocker.json()["reference"]]
    assert [watcher["id"] for watcher in body["watchers"]] == [cast.carl.pk]
    assert [clock["kind"] for clock in body["clocks"]] == [c.kind for c in validated.clocks]


def test_a_new_request_answers_as_validation_would_have_built_it(cast):
    rita = bearer(cast.rita)
    created = post_json(rita, "/api/v1/requests", {"service": "printer", "subject": "Jams"})
    assert created.status_code == 201, created.content
    found = selectors.get_request_for(cast.rita, created.json()["reference"])

    detail = request_detail(policy.viewer_for(cast.rita), found, just_created=True)

    assert detail.model_dump_json() == _validated_again(detail).model_dump_json()
    assert _without_remaining(created.json()) == _as_sent(_validated_again(detail))
