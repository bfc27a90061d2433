"""A request the caller cannot see is never named, counted or hinted at by its id.

The case: rita's printer request waits for carl's confidential HR mediation, which
alex (the IT agent working the printer request) may not see. Every door that
explains why the request cannot be resolved, or shows its history, is tried.
"""

import json
import re

import pytest
from django.utils import timezone
from tests.conftest import client_for
from tests.desk.helpers import fresh, snapshot, submit
from tests.desk.test_api import bearer, post_json

from inhouse.desk.models import Dependency, Request
from inhouse.desk.selectors.history import history_entries
from inhouse.desk.services import update_request

pytestmark = pytest.mark.django_db

MEDIATION_ANSWERS = {"summary": "A conflict in the team"}
HIDDEN_HINT = "a request you cannot see"


@pytest.fixture
def blocked(cast) -> tuple[Request, Request]:
    """Rita's printer request, blocked by carl's HR case (linked by ada, who sees both)."""
    request = submit(cast)
    hidden_case = submit(
        cast, actor=cast.carl, service=cast.mediation, form_answers=MEDIATION_ANSWERS
    )
    update_request(actor=cast.ada, request=request, expected_version=None, blocked_by=[hidden_case])
    return request, hidden_case


def _mentions(text: str, hidden_case: Request) -> bool:
    """Whether ``text`` names the case by any of its references or its internal id.

    The dates a page prints are left out of the id's search: on the 2nd of a month,
    "Wed 2 Dec" would otherwise count as naming the case whose id is 2."""
    references = [
        hidden_case.reference,
        *hidden_case.references.values_list("reference", flat=True),
    ]
    undated = re.sub(r"<time\b[^>]*>.*?</time>", "", text, flags=re.DOTALL)
    return any(reference in text for reference in references) or bool(
        re.search(rf"\b{hidden_case.pk}\b", undated)
    )


def test_the_api_refuses_to_resolve_without_naming_the_hidden_blocker(cast, blocked):
    request, hidden_case = blocked
    before = snapshot(request)

    response = post_json(
        bearer(cast.alex), f"/api/v1/requests/{request.reference}/transitions", {"to": "resolved"}
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == (
        "This request is blocked by a request you cannot see. "
        "It can be resolved once the team handling that one has finished it."
    )
    assert hidden_case.reference not in response.content.decode()
    assert snapshot(request) == before


def test_visible_blockers_are_named_and_a_hidden_one_is_neither_named_nor_counted(cast, blocked):
    request, hidden_case = blocked
    second_hidden = submit(
        cast, actor=cast.rita, service=cast.mediation, form_answers=MEDIATION_ANSWERS
    )
    Dependency.objects.create(blocker=second_hidden, blocked=request, created_at=timezone.now())
    visible = submit(cast, subject="Order parts")
    Dependency.objects.create(blocker=visible, blocked=request, created_at=timezone.now())

    response = post_json(
        bearer(cast.alex), f"/api/v1/requests/{request.reference}/transitions", {"to": "resolved"}
    )

    message = response.json()["error"]["message"]
    assert response.status_code == 409
    assert message == (
        f"This request is blocked by open requests: {visible.reference}, and by {HIDDEN_HINT}. "
        "Resolve them or remove the dependency first."
    )
    assert not _mentions(message.replace(visible.reference, ""), hidden_case)
    assert second_hidden.reference not in message


def test_someone_who_sees_every_blocker_gets_them_all_named(cast, blocked):
    request, hidden_case = blocked

    response = post_json(
        bearer(cast.ada), f"/api/v1/requests/{request.reference}/transitions", {"to": "resolved"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        f"This request is blocked by open requests: {hidden_case.reference}. "
        "Resolve them or remove the dependency first."
    )


def test_the_workspace_transition_page_does_not_name_the_hidden_blocker(cast, blocked):
    request, hidden_case = blocked
    before = snapshot(request)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/transition/",
        {"to": "resolved", "version": fresh(request).version},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert f"This request is blocked by {HIDDEN_HINT}." in html
    assert hidden_case.reference not in html
    assert snapshot(request) == before


def test_the_bulk_outcome_does_not_name_the_hidden_blocker(cast, blocked):
    request, hidden_case = blocked

    response = client_for(cast.alex).post(
        "/work/it-service-desk/bulk/",
        {"ref": [request.reference], "action": "transition", "to": "resolved"},
        follow=True,
    )

    html = response.content.decode()
    assert f"{request.reference} not changed: This request is blocked by {HIDDEN_HINT}." in html
    assert hidden_case.reference not in html
    assert fresh(request).status == request.status


def test_the_history_page_names_the_hidden_blocker_by_neither_reference_nor_id(cast, blocked):
    request, hidden_case = blocked

    entries = history_entries(cast.alex, request)
    page = client_for(cast.alex).get(f"/work/requests/{request.reference}/").content.decode()

    dependency = next(entry for entry in entries if entry.event.kind == "dependency_added")
    assert dependency.changes == [f"Blocked by {HIDDEN_HINT}"]
    history = page[
        page.index('id="history"') : page.index("</section>", page.index('id="history"'))
    ]
    assert f"Blocked by {HIDDEN_HINT}" in history
    assert not _mentions(history, hidden_case)


def test_the_api_history_withholds_the_id_of_a_hidden_blocker(cast, blocked):
    request, hidden_case = blocked

    as_alex = bearer(cast.alex).get(f"/api/v1/requests/{request.reference}/history")
    as_ada = bearer(cast.ada).get(f"/api/v1/requests/{request.reference}/history")

    def dependency_data(response):
        return next(e["data"] for e in response.json()["items"] if e["kind"] == "dependency_added")

    assert as_alex.status_code == as_ada.status_code == 200
    assert dependency_data(as_alex) == {"blocked_by": None}
    assert dependency_data(as_ada) == {"blocked_by": hidden_case.pk}
    assert hidden_case.reference not in json.dumps(as_alex.json())
