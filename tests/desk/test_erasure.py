"""Erasing a person: their name and e-mail leave every table, their texts and files on
request, their login for good; the events and the numbers stay as they were."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client
from django.utils import timezone
from tests.conftest import client_for
from tests.desk.helpers import submit, upload
from tests.factories import make_person

from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.audit.services import record_audit
from inhouse.core.errors import InvalidInput, PermissionDenied
from inhouse.desk.history_chain import check_histories
from inhouse.desk.models import Attachment, Comment, Notification, Request, RequestEvent
from inhouse.desk.services import (
    add_attachment,
    add_comment,
    add_watcher,
    erase_person,
    plan_erasure,
    update_request,
)
from inhouse.desk.services.erasure import ERASED_TEXT
from inhouse.desk.storage import attachment_path
from inhouse.org.auth import person_for_bearer_token
from inhouse.org.models import ApiToken, Person, SignInAttempt
from inhouse.org.services import create_api_token
from inhouse.org.signin import begin_attempt
from inhouse.sla.models import Clock

pytestmark = pytest.mark.django_db

RITA_NAME = "Rita Tester"
RITA_EMAIL = "rita@example.com"


@dataclass
class World:
    printer: Request
    access: Request
    mediation: Request
    carls: Request
    rita_files: list[str]
    others_files: list[str]
    token: str


@pytest.fixture
def world(cast) -> World:
    """Rita's life on the desk: requests, replies, files, a token, and colleagues naming her."""
    printer = submit(cast, subject="Printer eats my payslips", description="Floor 3, by my desk.")
    access = submit(
        cast,
        service=cast.software_access,
        subject="Figma for the rebrand",
        form_answers={
            "application": "Figma",
            "justification": "I lead the rebrand.",
            "needed_by": "2026-04-01",
            "seats": 2,
        },
        files={},
    )
    mediation = submit(
        cast,
        service=cast.mediation,
        subject="Conflict with my manager",
        form_answers={"summary": "It started in January."},
    )
    carls = submit(cast, actor=cast.carl, subject="Projector in room 4")
    add_watcher(actor=cast.carl, request=carls, watcher=cast.rita)
    update_request(actor=cast.alex, request=printer, expected_version=None, assignee=cast.alex)
    add_comment(
        actor=cast.alex,
        request=printer,
        body=f"Hi {RITA_NAME}, I sent the form to {RITA_EMAIL}.",
    )
    add_comment(
        actor=cast.rita, request=printer, body="Thanks, it works.", attachments=[upload(b"a")]
    )
    add_comment(actor=cast.hana, request=mediation, body="We will call you.")
    add_comment(actor=cast.rita, request=mediation, body="Mornings suit me.")
    rita_file = add_attachment(
        actor=cast.rita, request=access, upload=upload(b"scan", name="rita-tester-id.pdf")
    )
    alex_file = add_attachment(
        actor=cast.alex, request=printer, upload=upload(b"manual", name="manual.pdf")
    )
    # An agent quotes her address as the external outcome: it lands in the history.
    update_request(
        actor=cast.alex, request=printer, expected_version=None, external_ref=RITA_EMAIL.upper()
    )
    token = create_api_token(person=cast.rita, name="laptop")
    begin_attempt(username="rita", address="10.0.0.1")
    LogEntry.objects.log_actions(
        user_id=cast.ada.user.pk,
        queryset=[cast.rita],
        action_flag=CHANGE,
        change_message="Changed job title.",
    )
    record_audit(
        AuditAction.REFUSED_CHANGE,
        actor=cast.rita,
        target_kind="person",
        target_id=cast.rita.pk,
        target_label=RITA_NAME,
    )
    rita_files = list(
        Attachment.objects.filter(uploaded_by=cast.rita).values_list("stored_name", flat=True)
    )
    assert rita_file.stored_name in rita_files and len(rita_files) == 2
    return World(
        printer=printer,
        access=access,
        mediation=mediation,
        carls=carls,
        rita_files=rita_files,
        others_files=[alex_file.stored_name],
        token=token,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (unlinking files) as the block ends, as a real
    commit would; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _tables_naming(*words: str) -> list[str]:
    """Every model, text or JSON column and row whose value contains one of ``words``."""
    found = []
    needles = [word.lower() for word in words]
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            column.attname
            for column in model._meta.concrete_fields
            if isinstance(column, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        for row in model._base_manager.values("pk", *columns):
            for column in columns:
                value = row[column]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in text.lower() for needle in needles):
                    found.append(f"{model._meta.label}.{column} #{row['pk']}")
    return found


def _history() -> dict[int, tuple]:
    return {
        event.pk: (event.request_id, event.kind, event.actor_id, event.created_at, event.is_public)
        for event in RequestEvent.objects.all()
    }


def _numbers() -> dict[str, object]:
    """What insights count: rows, statuses, clocks, times."""
    return {
        "requests": list(
            Request.objects.order_by("pk").values_list(
                "pk", "status", "priority", "requester_id", "assignee_id", "created_at",
                "first_responded_at", "resolved_at", "resolution_due_at", "sla_breached",
            )
        ),
        "comments": list(
            Comment.objects.order_by("pk").values_list(
                "pk", "request_id", "author_id", "is_public", "created_at"
            )
        ),
        "clocks": list(
            Clock.objects.order_by("pk").values_list(
                "pk", "kind", "started_at", "paused_total", "stopped_at", "due_at", "breached_at"
            )
        ),
        "watchers": list(Request.watchers.through.objects.values_list("request_id", "person_id")),
    }  # fmt: skip


def test_no_table_names_her_after_erasure(cast, world):
    assert _tables_naming(RITA_NAME, RITA_EMAIL)  # the scan sees what is there

    erase_person(cast.rita, by=cast.ada, include_text=True)

    assert _tables_naming(RITA_NAME, RITA_EMAIL) == []


def test_her_name_is_replaced_by_a_stable_unique_pseudonym(cast, world):
    erase_person(cast.rita, by=cast.ada, include_text=False)

    rita = Person.objects.get(pk=cast.rita.pk)
    pseudonym = f"Erased person {cast.rita.pk:04x}"
    assert (rita.full_name, rita.email) == (
        pseudonym,
        f"erased-{cast.rita.pk:04x}@erased.invalid",
    )
    assert (rita.job_title, rita.is_active, rita.is_org_admin) == ("", False, False)
    assert Comment.objects.get(
        request=world.printer, author=cast.alex, body__startswith="Hi"
    ).body == (f"Hi {pseudonym}, I sent the form to erased-{cast.rita.pk:04x}@erased.invalid.")
    notice = Notification.objects.filter(recipient=cast.alex, params__has_key="actor").get()
    assert notice.params["actor"] == pseudonym


def test_events_keep_their_kind_time_and_numbers(cast, world):
    history = _history()
    data = dict(RequestEvent.objects.values_list("pk", "data"))
    numbers = _numbers()

    report = erase_person(cast.rita, by=cast.ada, include_text=True)

    assert _history() == history
    assert _numbers() == numbers
    rewritten = {
        pk for pk, value in RequestEvent.objects.values_list("pk", "data") if value != data[pk]
    }
    # Only the event that quoted her address, and only that word in it.
    ref_event = RequestEvent.objects.get(request=world.printer, kind="external_ref_changed")
    assert rewritten == set(report.events_rewritten) == {ref_event.pk}
    assert ref_event.data == {"external_ref": ["", f"erased-{cast.rita.pk:04x}@erased.invalid"]}


def test_the_history_chain_verifies_after_an_erasure_rewrote_an_event(cast, world):
    assert all(checked.first_break is None for checked in check_histories(Request.objects.all()))

    report = erase_person(cast.rita, by=cast.ada, include_text=True)

    assert report.events_rewritten
    assert all(checked.first_break is None for checked in check_histories(Request.objects.all()))


def test_an_erasure_never_seals_over_tampering_done_before_it(cast, world):
    tampered = RequestEvent.objects.filter(request=world.printer).order_by("sequence").first()
    assert tampered is not None
    RequestEvent.objects.filter(pk=tampered.pk).update(data={"forged": True})

    erase_person(cast.rita, by=cast.ada, include_text=True)

    [checked] = check_histories(Request.objects.filter(pk=world.printer.pk))
    assert checked.first_break is not None


def test_her_files_are_gone_from_disk_and_database_and_others_stay(cast, world, committed):
    assert all(attachment_path(name).exists() for name in world.rita_files)

    with committed():
        report = erase_person(cast.rita, by=cast.ada, include_text=False)

    assert report.attachments == 2
    assert not any(attachment_path(name).exists() for name in world.rita_files)
    assert not Attachment.objects.filter(stored_name__in=world.rita_files).exists()
    assert all(attachment_path(name).exists() for name in world.others_files)
    assert Attachment.objects.filter(stored_name__in=world.others_files).count() == 1


def test_with_text_her_words_are_replaced_and_numbers_and_choices_stay(cast, world):
    version = Request.objects.get(pk=world.access.pk).version

    report = erase_person(cast.rita, by=cast.ada, include_text=True)

    access = Request.objects.get(pk=world.access.pk)
    assert (access.subject, access.description) == (ERASED_TEXT, "")
    assert access.form_answers == {
        "application": "Figma",
        "justification": ERASED_TEXT,
        "needed_by": "2026-04-01",
        "seats": 2,
    }
    assert access.version == version + 1
    mediation = Request.objects.get(pk=world.mediation.pk)
    assert mediation.form_answers == {"summary": ERASED_TEXT}
    assert set(Comment.objects.filter(author=cast.rita).values_list("body", flat=True)) == {
        ERASED_TEXT
    }
    # Other people's words stay as written.
    assert Comment.objects.filter(author=cast.hana, body="We will call you.").exists()
    assert Request.objects.get(pk=world.carls.pk).subject == "Projector in room 4"
    assert (report.requests_text, report.comments_text) == (3, 2)


def test_without_text_her_requests_and_comments_keep_their_words(cast, world):
    erase_person(cast.rita, by=cast.ada, include_text=False)

    printer = Request.objects.get(pk=world.printer.pk)
    assert (printer.subject, printer.description) == (
        "Printer eats my payslips",
        "Floor 3, by my desk.",
    )
    assert Request.objects.get(pk=world.access.pk).form_answers["justification"] == (
        "I lead the rebrand."
    )
    assert Comment.objects.filter(author=cast.rita, body="Mornings suit me.").exists()
    assert _tables_naming(RITA_NAME, RITA_EMAIL) == []


def test_her_login_tokens_and_sessions_end(cast, world):
    session = client_for(cast.rita)
    assert session.get("/requests/").status_code == 200

    erase_person(cast.rita, by=cast.ada, include_text=False)

    user = Person.objects.get(pk=cast.rita.pk).user
    assert user is not None
    assert (user.username, user.email, user.is_active, user.has_usable_password()) == (
        f"erased-{cast.rita.pk:04x}",
        "",
        False,
        False,
    )
    assert authenticate(username="rita", password="correct-horse-battery-staple") is None
    assert session.get("/requests/").status_code == 302
    assert person_for_bearer_token(world.token) is None
    assert not ApiToken.objects.filter(person=cast.rita).exists()
    assert not SignInAttempt.objects.filter(username_key="rita").exists()
    assert not Notification.objects.filter(recipient=cast.rita).exists()


def test_erasure_is_audited_by_counts_never_by_name(cast, world):
    report = erase_person(cast.rita, by=cast.ada, include_text=True, door="admin")

    record = AuditRecord.objects.get(action=AuditAction.PERSON_ERASED)
    assert (record.actor_id, record.target_kind, record.target_id, record.door) == (
        cast.ada.pk,
        "person",
        str(cast.rita.pk),
        "admin",
    )
    assert record.target_label == report.pseudonym
    assert record.data["attachments"] == 2 and record.data["include_text"] is True
    assert RITA_NAME.lower() not in json.dumps(record.data).lower() + record.detail.lower()


def test_a_second_erasure_changes_nothing_more(cast, world):
    erase_person(cast.rita, by=cast.ada, include_text=True)
    before = (_history(), _numbers(), dict(RequestEvent.objects.values_list("pk", "data")))

    again = erase_person(cast.rita, by=cast.ada, include_text=True)

    assert not again.changes_anything
    assert again.events_rewritten == ()
    assert (_history(), _numbers(), dict(RequestEvent.objects.values_list("pk", "data"))) == before
    assert not plan_erasure(cast.rita, include_text=True).changes_anything


def test_the_plan_counts_without_changing_anything(cast, world):
    plan = plan_erasure(cast.rita, include_text=True)

    assert (plan.attachments, plan.requests_text, plan.comments_text) == (2, 3, 2)
    assert plan.identity.login and plan.identity.api_tokens == 1
    assert plan.mentions >= 4  # her person row is not counted; colleagues' rows are
    assert Person.objects.get(pk=cast.rita.pk).full_name == RITA_NAME
    assert all(attachment_path(name).exists() for name in world.rita_files)


@pytest.mark.parametrize("who", ["alex", "lena", "hana", "rita"])
def test_only_an_org_admin_may_erase_and_a_refusal_changes_nothing(cast, world, who):
    numbers, history = _numbers(), _history()

    with pytest.raises(PermissionDenied):
        erase_person(cast.rita, by=getattr(cast, who), include_text=True)

    assert Person.objects.get(pk=cast.rita.pk).full_name == RITA_NAME
    assert (_numbers(), _history()) == (numbers, history)
    assert not AuditRecord.objects.filter(action=AuditAction.PERSON_ERASED).exists()


def test_an_admin_cannot_erase_themselves(cast):
    with pytest.raises(InvalidInput, match="yourself"):
        erase_person(cast.ada, by=cast.ada, include_text=False)
    assert Person.objects.get(pk=cast.ada.pk).is_active


def test_a_name_inside_a_longer_word_or_address_is_left_alone(cast):
    request = submit(
        cast,
        subject=f"From {RITA_NAME}son and x{RITA_EMAIL}.au",
        description=f"Write to {RITA_EMAIL}, or {RITA_NAME.upper()}.",
    )

    erase_person(cast.rita, by=None, include_text=False)

    request.refresh_from_db()
    token = f"{cast.rita.pk:04x}"
    assert request.subject == f"From {RITA_NAME}son and x{RITA_EMAIL}.au"
    assert request.description == (
        f"Write to erased-{token}@erased.invalid, or Erased person {token}."
    )


# --- the command line ----------------------------------------------------------------------


# ``inhouse`` turns a CommandError into its message on stderr and exit status ``returncode``.


@pytest.mark.parametrize("who", ["nobody@example.com", "999999", "9" * 30, " "])
def test_the_command_refuses_an_unknown_person_with_status_1(cast, who):
    with pytest.raises(CommandError, match="No person with") as refused:
        call_command("erase_person", who, "--yes")
    assert refused.value.returncode == 1


def test_without_yes_the_command_prints_the_counts_changes_nothing_and_exits_2(
    cast, world, capsys, committed
):
    with committed(), pytest.raises(CommandError, match="--yes") as refused:
        call_command("erase_person", RITA_EMAIL.upper(), "--text")

    out = capsys.readouterr().out
    assert refused.value.returncode == 2
    assert "files they uploaded: 2" in out
    assert "their requests' texts replaced: 3" in out
    assert Person.objects.get(pk=cast.rita.pk).full_name == RITA_NAME
    assert all(attachment_path(name).exists() for name in world.rita_files)


def test_with_yes_the_command_erases_by_id_and_audits_the_command_line(cast, world, committed):
    with committed():
        call_command("erase_person", str(cast.rita.pk), "--yes")

    assert Person.objects.get(pk=cast.rita.pk).full_name.startswith("Erased person")
    record = AuditRecord.objects.get(action=AuditAction.PERSON_ERASED)
    assert (record.actor_id, record.door) == (None, "cli")
    # Without --text her words stay.
    assert Request.objects.get(pk=world.printer.pk).subject == "Printer eats my payslips"
    assert not any(attachment_path(name).exists() for name in world.rita_files)


def test_the_command_on_an_erased_person_says_so_and_succeeds(cast, world, capsys):
    call_command("erase_person", RITA_EMAIL, "--yes")
    capsys.readouterr()

    call_command("erase_person", str(cast.rita.pk))

    assert "already erased" in capsys.readouterr().out


def test_an_erased_person_is_shown_by_pseudonym_on_the_agent_page(cast, world):
    erase_person(cast.rita, by=cast.ada, include_text=False)

    page = client_for(cast.alex).get(f"/work/requests/{world.printer.reference}/")

    assert page.status_code == 200
    body = page.content.decode()
    assert f"Erased person {cast.rita.pk:04x}" in body
    assert RITA_NAME not in body


def test_erasing_someone_keeps_the_admin_log_pointing_at_the_same_row(cast, world):
    erase_person(cast.rita, by=cast.ada, include_text=False)

    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Person))
    assert entry.object_id == str(cast.rita.pk)
    assert entry.object_repr == f"Erased person {cast.rita.pk:04x}"


def test_erasure_commits_or_leaves_everything(cast, world, monkeypatch, committed):
    """A failure half-way leaves her as she was, files included."""

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("inhouse.desk.services.erasure.record_audit", fail)

    with committed(), pytest.raises(RuntimeError):
        erase_person(cast.rita, by=cast.ada, include_text=True)

    assert Person.objects.get(pk=cast.rita.pk).full_name == RITA_NAME
    assert Attachment.objects.filter(stored_name__in=world.rita_files).count() == 2
    assert all(attachment_path(name).exists() for name in world.rita_files)
    assert Client().login(username="rita", password="correct-horse-battery-staple")


def test_a_name_beyond_ascii_is_found_in_json_as_each_database_stores_it(cast):
    zoe = make_person("zoe", team=cast.marketing, full_name="Zoë Ångström")
    request = submit(cast, actor=zoe, subject="Keyboard")
    update_request(actor=cast.alex, request=request, expected_version=None, assignee=cast.alex)
    add_comment(actor=zoe, request=request, body="Any news?")
    assert Notification.objects.get(recipient=cast.alex, params__has_key="actor").params[
        "actor"
    ] == ("Zoë Ångström")

    erase_person(zoe, by=cast.ada, include_text=False)

    assert _tables_naming("Zoë Ångström", "zoe@example.com") == []


def test_a_one_word_name_is_replaced_only_where_it_is_the_whole_value(cast):
    will = make_person("will", team=cast.marketing, full_name="Will")
    request = submit(cast, actor=will, subject="Will you check the VPN? It will not start.")
    update_request(actor=cast.alex, request=request, expected_version=None, assignee=cast.alex)
    add_comment(actor=will, request=request, body="I will wait.")

    erase_person(will, by=cast.ada, include_text=False)

    request.refresh_from_db()
    assert request.subject == "Will you check the VPN? It will not start."
    assert Comment.objects.get(author=will).body == "I will wait."
    notice = Notification.objects.get(recipient=cast.alex, params__has_key="actor")
    assert notice.params["actor"] == f"Erased person {will.pk:04x}"


def test_a_name_typed_with_other_spacing_is_still_found(cast):
    request = submit(cast, actor=cast.carl, subject="Desk for Rita\u00a0 Tester")

    erase_person(cast.rita, by=cast.ada, include_text=False)

    request.refresh_from_db()
    assert request.subject == f"Desk for Erased person {cast.rita.pk:04x}"


def test_the_scan_covers_every_feedback_and_knowledge_table_with_words():
    """The mention scan reads every table the app registry knows, so the apps above the
    desk are in it without being named: this pins that they are."""
    from inhouse.desk.services.erasure_mentions import searched_models

    scanned = {model._meta.label for model in searched_models()}
    with_words = {
        model._meta.label
        for app in ("feedback", "knowledge")
        for model in apps.get_app_config(app).get_models()
        if any(
            isinstance(column, models.CharField | models.TextField | models.JSONField)
            for column in model._meta.concrete_fields
        )
    }
    assert {"feedback.Rating", "feedback.Kudos", "knowledge.Idea", "knowledge.Article"} <= (
        with_words
    )
    assert with_words <= scanned


def test_her_name_quoted_in_feedback_and_knowledge_is_replaced_everywhere(cast, world):
    """Without --text: colleagues' kudos, comments on ideas, articles and anonymous survey
    answers that quote her name or address are rewritten; their other words stay."""
    from inhouse.feedback.models import Kudos, Survey, SurveyAnswer
    from inhouse.feedback.services.kudos import grant_kudos
    from inhouse.knowledge.models.ideas import IdeaComment
    from inhouse.knowledge.services.articles import create_article
    from inhouse.knowledge.services.ideas import comment_on_idea, propose_idea

    kudos = grant_kudos(actor=cast.carl, message=f"{RITA_NAME} saved the launch", to_team=cast.it)
    idea = propose_idea(actor=cast.carl, title="Buddies", body="", owning_team=None)
    comment = comment_on_idea(actor=cast.otto, idea=idea, body=f"Ask {RITA_EMAIL} first.")
    article = create_article(
        actor=cast.alex, team=cast.service_desk, title="Payslips", body=f"Thanks {RITA_NAME}."
    )
    now = timezone.now()
    survey = Survey.objects.create(
        provider_team=cast.service_desk, title="Round 1", opens_at=now, remind_at=now,
        closes_at=now + timedelta(days=3),
    )  # fmt: skip
    answer = SurveyAnswer.objects.create(
        survey=survey, customer_team=cast.marketing, recommend=9, timeliness=4, quality=4,
        communication=5, ease_of_asking=3, comment=f"{RITA_NAME} explained it well.",
    )  # fmt: skip
    before = {found.split(" #")[0] for found in _tables_naming(RITA_NAME, RITA_EMAIL)}
    assert {
        "feedback.Kudos.message", "knowledge.IdeaComment.body", "knowledge.Article.body",
        "knowledge.ArticleRevision.body", "feedback.SurveyAnswer.comment",
    } <= before  # fmt: skip

    report = erase_person(cast.rita, by=cast.ada, include_text=False)

    assert _tables_naming(RITA_NAME, RITA_EMAIL) == []
    assert Kudos.objects.get(pk=kudos.pk).message == f"{report.pseudonym} saved the launch"
    assert IdeaComment.objects.get(pk=comment.pk).body.startswith("Ask erased-")
    assert (
        SurveyAnswer.objects.get(pk=answer.pk).comment == f"{report.pseudonym} explained it well."
    )
    article.refresh_from_db()
    assert article.body == f"Thanks {report.pseudonym}."
