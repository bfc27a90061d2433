"""The Django admin of every app: it opens, stays fast, and cannot rewrite history."""

import logging

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.desk.helpers import submit

from inhouse.desk.models import (
    CannedReply,
    Comment,
    EventKind,
    Request,
    RequestEvent,
    SavedView,
)
from inhouse.desk.services import add_comment
from inhouse.desk.services.notifications import set_notification_preferences
from inhouse.org.models import ApiToken
from inhouse.org.services import create_admin, create_api_token

pytestmark = pytest.mark.django_db

OUR_APPS = {"org", "catalog", "sla", "desk"}
CONFIDENTIAL_SUBJECT = "Conflict with my manager"


@pytest.fixture
def boss(cast):
    return create_admin(
        username="boss",
        email="boss@example.com",
        full_name="Bo Boss",
        password="a-long-passphrase!",
    )


@pytest.fixture
def admin_client(boss) -> Client:
    client = Client()
    client.force_login(boss.user)
    return client


@pytest.fixture
def desk(cast):
    """A request with a reply, a confidential one, a token and each agent's keepsakes."""
    printer = submit(cast)
    add_comment(actor=cast.alex, request=printer, body="On it.")
    mediation = submit(
        cast,
        service=cast.mediation,
        subject=CONFIDENTIAL_SUBJECT,
        form_answers={"summary": "It keeps happening."},
    )
    CannedReply.objects.create(team=cast.service_desk, title="Thanks", body="Thank you!")
    SavedView.objects.create(owner=cast.alex, team=cast.service_desk, name="Mine", query="")
    set_notification_preferences(actor=cast.alex, choices={"app": {"new_request": False}})
    raw_token = create_api_token(person=cast.rita, name="laptop")
    return printer, mediation, raw_token


def our_models():
    return sorted(
        (model._meta.app_label, model._meta.model_name, model)
        for model in admin.site._registry
        if model._meta.app_label in OUR_APPS
    )


def test_every_app_registers_its_models():
    assert [(app_label, model_name) for app_label, model_name, _ in our_models()] == [
        ("catalog", "agreement"),
        ("catalog", "service"),
        ("desk", "cannedreply"),
        ("desk", "comment"),
        ("desk", "notification"),
        ("desk", "notificationpreference"),
        ("desk", "request"),
        ("desk", "requestevent"),
        ("desk", "savedview"),
        ("org", "apitoken"),
        ("org", "person"),
        ("org", "team"),
        ("sla", "calendar"),
        ("sla", "clock"),
    ]


def test_every_changelist_and_change_page_opens(admin_client, desk):
    for app_label, model_name, model in our_models():
        changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        first = model.objects.order_by("pk").first()
        change = reverse(f"admin:{app_label}_{model_name}_change", args=[first.pk])
        assert admin_client.get(change).status_code == 200, change


@pytest.mark.parametrize(
    "app_label,model_name",
    [
        ("org", "person"),
        ("org", "team"),
        ("catalog", "service"),
        ("catalog", "agreement"),
        ("sla", "calendar"),
        ("desk", "comment"),
        ("desk", "cannedreply"),
        ("desk", "savedview"),
        ("desk", "notification"),
    ],
)
def test_add_pages_open_where_adding_is_allowed(admin_client, app_label, model_name):
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200


@pytest.mark.parametrize(
    "app_label,model_name",
    [("org", "apitoken"), ("sla", "clock"), ("desk", "request"), ("desk", "requestevent")],
)
def test_nothing_is_added_by_hand_where_services_keep_the_books(
    admin_client, app_label, model_name
):
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403


def test_the_history_cannot_be_edited_or_deleted_in_the_admin(admin_client, desk):
    printer, _, _ = desk
    event = RequestEvent.objects.filter(request=printer).order_by("pk").first()
    change = reverse("admin:desk_requestevent_change", args=[event.pk])
    before = list(RequestEvent.objects.values_list("pk", "kind", "data", "actor_id"))

    page = admin_client.get(change).content.decode()
    posted = admin_client.post(change, {"kind": EventKind.BREACHED, "data": "{}", "_save": "Save"})
    delete_page = admin_client.get(reverse("admin:desk_requestevent_delete", args=[event.pk]))
    bulk_delete = admin_client.post(
        reverse("admin:desk_requestevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )

    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert posted.status_code == 403
    assert delete_page.status_code == 403
    assert bulk_delete.status_code == 200  # the action does not exist; the list is shown again
    assert list(RequestEvent.objects.values_list("pk", "kind", "data", "actor_id")) == before


def test_requests_are_read_only_in_the_admin(admin_client, desk):
    printer, _, _ = desk
    change = reverse("admin:desk_request_change", args=[printer.pk])

    page = admin_client.get(change).content.decode()
    posted = admin_client.post(change, {"status": "closed", "subject": "Changed"})

    assert 'name="_save"' not in page
    assert posted.status_code == 403
    printer.refresh_from_db()
    assert (printer.status, printer.subject) == ("in_progress", "Printer on floor 3 jams")


def test_a_comment_added_in_the_admin_goes_through_the_service(admin_client, boss, desk):
    printer, _, _ = desk
    events = RequestEvent.objects.filter(request=printer, kind=EventKind.COMMENTED).count()

    response = admin_client.post(
        reverse("admin:desk_comment_add"),
        {"request": printer.pk, "body": "Checked by an admin.", "is_public": "on"},
    )

    assert response.status_code == 302
    comment = Comment.objects.get(body="Checked by an admin.")
    assert (comment.request, comment.author, comment.is_public) == (printer, boss, True)
    assert RequestEvent.objects.filter(request=printer, kind=EventKind.COMMENTED).count() == (
        events + 1
    )


def test_comments_cannot_be_changed_or_deleted_in_the_admin(admin_client, desk):
    printer, _, _ = desk
    comment = Comment.objects.get(request=printer)
    change = reverse("admin:desk_comment_change", args=[comment.pk])

    posted = admin_client.post(change, {"request": printer.pk, "body": "Rewritten"})
    deleted = admin_client.post(
        reverse("admin:desk_comment_delete", args=[comment.pk]), {"post": "yes"}
    )

    assert (posted.status_code, deleted.status_code) == (403, 403)
    comment.refresh_from_db()
    assert comment.body == "On it."


def test_a_bare_admin_login_cannot_comment_as_nobody(cast):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x-long-pass!")
    client = Client()
    client.force_login(root)

    assert client.get(reverse("admin:desk_comment_add")).status_code == 403


def test_api_tokens_show_no_secret_and_can_be_revoked(admin_client, cast, desk):
    _, _, raw = desk
    token = ApiToken.objects.get(person=cast.rita)
    changelist = reverse("admin:org_apitoken_changelist")

    listed = admin_client.get(changelist).content.decode()
    shown = admin_client.get(reverse("admin:org_apitoken_change", args=[token.pk])).content
    revoked = admin_client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})

    assert raw[:10] in listed
    assert raw not in listed
    assert raw.encode() not in shown
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_confidential_subjects_stay_out_of_lists_and_opening_one_is_audited(
    admin_client, boss, cast, desk, caplog
):
    _, mediation, _ = desk
    add_comment(actor=cast.hana, request=mediation, body="Meeting both on Friday.")
    event = RequestEvent.objects.filter(request=mediation).order_by("pk").first()

    requests = admin_client.get(reverse("admin:desk_request_changelist")).content.decode()
    comments = admin_client.get(reverse("admin:desk_comment_changelist")).content.decode()
    clocks = admin_client.get(reverse("admin:sla_clock_changelist")).content.decode()
    with caplog.at_level(logging.INFO, logger="inhouse.audit"):
        opened = admin_client.get(reverse("admin:desk_request_change", args=[mediation.pk]))
        admin_client.get(reverse("admin:desk_requestevent_change", args=[event.pk]))

    assert mediation.reference in requests
    assert CONFIDENTIAL_SUBJECT not in requests + clocks
    assert "Meeting both on Friday." not in comments
    assert opened.status_code == 200
    assert [record.getMessage() for record in caplog.records if record.name == "inhouse.audit"] == [
        f"confidential request opened in the admin: person={boss.pk} "
        f"user={boss.user_id} request={mediation.pk}",
        f"confidential request opened in the admin: person={boss.pk} "
        f"user={boss.user_id} request={mediation.pk} requestevent={event.pk}",
    ]


def test_the_request_list_costs_the_same_queries_for_many_requests(admin_client, cast, desk):
    changelist = reverse("admin:desk_request_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(changelist).status_code == 200
        return len(captured)

    few = queries()
    for number in range(8):
        submit(cast, actor=cast.carl, subject=f"Toner {number}")
    assert Request.objects.count() == 10
    assert queries() == few
