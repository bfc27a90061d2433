"""The ideas forum: proposing, one vote per person (also under a race), an exact counter,
comments, the owning team's status with its history and notices, and the doors' strictness."""

import json
import threading
from typing import get_args

import pytest
from django.db import connection

from inhouse.core.errors import Conflict, InvalidInput, PermissionDenied
from inhouse.desk.models import Notification, NotificationKind, NotificationPreference
from inhouse.desk.notifications import text_of
from inhouse.knowledge.api.ideas import StatusName
from inhouse.knowledge.models.ideas import (
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from inhouse.knowledge.selectors.ideas import IdeaFilters, IdeaSort, page_of_ideas
from inhouse.knowledge.services.ideas import (
    comment_on_idea,
    propose_idea,
    remove_vote_for_idea,
    set_idea_status,
    vote_for_idea,
)
from inhouse.policy import viewer_for
from tests.conftest import client_for
from tests.desk.test_api import bearer, post_json

pytestmark = pytest.mark.django_db


def _idea(cast, *, team="service_desk", title="Office hours for laptop questions"):
    owning_team = getattr(cast, team) if team else None
    return propose_idea(
        actor=cast.rita, title=title, body="Every **Tuesday**.", owning_team=owning_team
    )


def _fresh(idea: Idea) -> Idea:
    return Idea.objects.get(pk=idea.pk)


# --- proposing ------------------------------------------------------------------------------


def test_anyone_active_proposes_an_idea_to_a_team_or_to_everyone(cast):
    to_team = _idea(cast)
    to_everyone = propose_idea(
        actor=cast.otto, title="  Shared glossary  ", body="", owning_team=None
    )

    assert (to_team.owning_team, to_team.status, to_team.vote_count) == (
        cast.service_desk,
        "new",
        0,
    )
    assert to_everyone.owning_team is None
    assert to_everyone.title == "Shared glossary"


def test_an_idea_needs_a_title(cast):
    with pytest.raises(InvalidInput) as refused:
        propose_idea(actor=cast.rita, title="   ", body="", owning_team=None)
    assert set(refused.value.fields) == {"title"}
    assert not Idea.objects.exists()


def test_an_inactive_person_cannot_propose(cast):
    cast.otto.is_active = False
    cast.otto.save()
    with pytest.raises(PermissionDenied):
        propose_idea(actor=cast.otto, title="Quiet idea", body="", owning_team=None)
    assert not Idea.objects.exists()


# --- votes ----------------------------------------------------------------------------------


def test_one_vote_per_person_and_the_vote_can_be_taken_back(cast):
    idea = _idea(cast)

    assert vote_for_idea(actor=cast.carl, idea=idea) is True
    assert vote_for_idea(actor=cast.carl, idea=idea) is False
    assert vote_for_idea(actor=cast.otto, idea=idea) is True
    assert _fresh(idea).vote_count == 2

    assert remove_vote_for_idea(actor=cast.carl, idea=idea) is True
    assert remove_vote_for_idea(actor=cast.carl, idea=idea) is False
    assert _fresh(idea).vote_count == 1
    assert list(IdeaVote.objects.values_list("person", flat=True)) == [cast.otto.pk]


def test_a_closed_idea_takes_no_new_votes_but_a_vote_can_still_be_taken_back(cast):
    idea = _idea(cast)
    vote_for_idea(actor=cast.carl, idea=idea)
    set_idea_status(actor=cast.lena, idea=idea, status="declined", reason="Out of scope.")

    with pytest.raises(Conflict):
        vote_for_idea(actor=cast.otto, idea=idea)
    assert remove_vote_for_idea(actor=cast.carl, idea=idea) is True
    assert _fresh(idea).vote_count == 0


def _run_together(work, count: int) -> list[Exception]:
    start = threading.Barrier(count)
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            work(n)
        # Whatever a thread raises must reach the assertions, not vanish with it.
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_one_person_voting_many_times_at_once_counts_once(cast):
    idea = _idea(cast)

    errors = _run_together(lambda n: vote_for_idea(actor=cast.carl, idea=idea), 8)

    assert errors == []
    assert IdeaVote.objects.filter(idea=idea).count() == 1
    assert _fresh(idea).vote_count == 1


@pytest.mark.django_db(transaction=True)
def test_the_counter_stays_exact_with_many_votes_and_removals_at_once(cast):
    idea = _idea(cast)
    people = [cast.rita, cast.carl, cast.alex, cast.ivy, cast.lena, cast.hana, cast.fred, cast.otto]
    for person in people[:4]:
        vote_for_idea(actor=person, idea=idea)

    def work(n: int) -> None:
        # The first four take their vote back (twice each), the others vote.
        person = people[n % len(people)]
        if n % len(people) < 4:
            remove_vote_for_idea(actor=person, idea=idea)
        else:
            vote_for_idea(actor=person, idea=idea)

    errors = _run_together(work, 2 * len(people))

    assert errors == []
    assert set(IdeaVote.objects.filter(idea=idea).values_list("person", flat=True)) == {
        person.pk for person in people[4:]
    }
    assert _fresh(idea).vote_count == 4


# --- comments -------------------------------------------------------------------------------


def test_a_comment_is_kept_as_written_and_counted(cast):
    idea = _idea(cast)
    comment = comment_on_idea(actor=cast.alex, idea=idea, body="<script>x()</script> Yes!")

    assert IdeaComment.objects.get().body == "<script>x()</script> Yes!"
    assert comment.author == cast.alex
    assert _fresh(idea).comment_count == 1
    with pytest.raises(InvalidInput):
        comment_on_idea(actor=cast.alex, idea=idea, body="  ")
    assert _fresh(idea).comment_count == 1


# --- status -----------------------------------------------------------------------------------


def test_the_owning_teams_lead_sets_a_status_kept_in_the_history(cast):
    idea = _idea(cast)
    set_idea_status(actor=cast.lena, idea=idea, status="under_review", reason="Looking into it.")
    updated = set_idea_status(actor=cast.lena, idea=idea, status="planned", reason="In May.")

    assert (updated.status, updated.status_reason) == ("planned", "In May.")
    assert list(
        IdeaStatusChange.objects.filter(idea=idea).values_list("from_status", "to_status", "reason")
    ) == [("new", "under_review", "Looking into it."), ("under_review", "planned", "In May.")]


@pytest.mark.parametrize("who", ["alex", "rita", "hana", "fred"])
def test_only_the_owning_teams_leads_set_its_status(cast, who):
    idea = _idea(cast)

    with pytest.raises(PermissionDenied):
        set_idea_status(actor=getattr(cast, who), idea=idea, status="planned", reason="Sure.")
    assert _fresh(idea).status == "new"
    assert not IdeaStatusChange.objects.exists()
    assert not Notification.objects.exists()


def test_ideas_to_everyone_are_answered_by_org_admins_only(cast):
    idea = _idea(cast, team=None)

    with pytest.raises(PermissionDenied):
        set_idea_status(actor=cast.lena, idea=idea, status="planned", reason="Yes.")
    set_idea_status(actor=cast.ada, idea=idea, status="planned", reason="Yes.")
    assert _fresh(idea).status == "planned"


def test_a_status_needs_a_reason_and_a_change(cast):
    idea = _idea(cast)
    with pytest.raises(InvalidInput) as no_reason:
        set_idea_status(actor=cast.lena, idea=idea, status="planned", reason=" ")
    with pytest.raises(InvalidInput) as same:
        set_idea_status(actor=cast.lena, idea=idea, status="new", reason="Still new.")
    with pytest.raises(InvalidInput) as unknown:
        set_idea_status(actor=cast.lena, idea=idea, status="shipped", reason="Done.")

    assert (set(no_reason.value.fields), set(same.value.fields), set(unknown.value.fields)) == (
        {"reason"},
        {"status"},
        {"status"},
    )
    assert not IdeaStatusChange.objects.exists()


def test_the_proposer_and_the_voters_hear_of_a_status_but_not_the_actor(cast):
    idea = _idea(cast)
    for voter in (cast.carl, cast.otto, cast.lena):
        vote_for_idea(actor=voter, idea=idea)
    NotificationPreference.objects.create(
        person=cast.otto, kind=NotificationKind.IDEA_STATUS, channel="app", enabled=False
    )

    set_idea_status(actor=cast.lena, idea=idea, status="planned", reason="Next quarter.")

    notices = Notification.objects.filter(kind=NotificationKind.IDEA_STATUS)
    assert {notice.recipient_id for notice in notices} == {cast.rita.pk, cast.carl.pk}
    assert {text_of(notice) for notice in notices} == {
        "The idea “Office hours for laptop questions” is now planned"
    }
    assert all(notice.request_id is None for notice in notices)


def test_everyone_can_choose_whether_idea_notices_reach_them(cast):
    offered = bearer(cast.rita).get("/api/v1/me/notification-preferences").json()["app"]
    assert offered["idea_status"] is True


# --- the list ---------------------------------------------------------------------------------


def _titles(cast, *, sort, filters=None, limit=10, cursor=None):
    page = page_of_ideas(
        viewer_for(cast.rita), filters or IdeaFilters(), sort=sort, cursor=cursor, limit=limit
    )
    return [idea.title for idea in page.items], page.next_cursor


def test_the_list_sorts_by_votes_recent_and_status_and_pages_without_repeats(cast):
    first = _idea(cast, title="First")
    second = _idea(cast, title="Second", team="facilities")
    third = _idea(cast, title="Third", team=None)
    for voter in (cast.carl, cast.otto):
        vote_for_idea(actor=voter, idea=second)
    vote_for_idea(actor=cast.carl, idea=first)
    set_idea_status(actor=cast.lena, idea=first, status="done", reason="Done.")
    set_idea_status(actor=cast.ada, idea=third, status="planned", reason="Soon.")

    assert _titles(cast, sort=IdeaSort.VOTES)[0] == ["Second", "First", "Third"]
    assert _titles(cast, sort=IdeaSort.RECENT)[0] == ["Third", "Second", "First"]
    assert _titles(cast, sort=IdeaSort.STATUS)[0] == ["Second", "Third", "First"]
    for sort in IdeaSort.ALL:
        titles, cursor = _titles(cast, sort=sort, limit=2)
        rest, end = _titles(cast, sort=sort, limit=2, cursor=cursor)
        assert (titles + rest, end) == (_titles(cast, sort=sort)[0], None)


def test_a_cursor_from_another_order_is_refused(cast):
    for title in ("A", "B", "C"):
        _idea(cast, title=title)
    _, cursor = _titles(cast, sort=IdeaSort.VOTES, limit=1)
    with pytest.raises(InvalidInput) as refused:
        _titles(cast, sort=IdeaSort.RECENT, cursor=cursor)
    assert set(refused.value.fields) == {"cursor"}


# --- the API ----------------------------------------------------------------------------------


def test_the_api_journey_propose_vote_comment_answer(cast):
    rita, carl, lena = bearer(cast.rita), bearer(cast.carl), bearer(cast.lena)
    created = post_json(
        rita, "/api/v1/ideas", {"title": "Shared on-call calendar", "team": "it-service-desk"}
    )
    assert created.status_code == 201, created.content
    idea = created.json()
    assert created["Location"] == f"/api/v1/ideas/{idea['id']}"
    assert (idea["team"]["slug"], idea["status"], idea["may_set_status"]) == (
        "it-service-desk",
        "new",
        False,
    )

    voted = carl.put(f"/api/v1/ideas/{idea['id']}/vote")
    assert (voted.status_code, voted.json()["vote_count"], voted.json()["voted"]) == (200, 1, True)
    assert carl.put(f"/api/v1/ideas/{idea['id']}/vote").json()["vote_count"] == 1

    comment = post_json(
        carl, f"/api/v1/ideas/{idea['id']}/comments", {"body": "[x](javascript:alert(1)) **yes**"}
    )
    assert comment.status_code == 201
    assert "javascript" not in comment.json()["body_html"]
    assert "<strong>yes</strong>" in comment.json()["body_html"]
    listed = rita.get(f"/api/v1/ideas/{idea['id']}/comments").json()
    assert [c["id"] for c in listed["items"]] == [comment.json()["id"]]

    answered = post_json(
        lena, f"/api/v1/ideas/{idea['id']}/status", {"status": "planned", "reason": "Next sprint."}
    )
    assert answered.status_code == 200, answered.content
    assert [
        (h["from_status"], h["to_status"], h["reason"]) for h in answered.json()["history"]
    ] == [("new", "planned", "Next sprint.")]
    assert answered.json()["may_set_status"] is True

    page = rita.get("/api/v1/ideas?sort=votes&team=it-service-desk&status=planned").json()
    assert [(i["id"], i["vote_count"], i["voted"]) for i in page["items"]] == [
        (idea["id"], 1, False)
    ]

    removed = carl.delete(f"/api/v1/ideas/{idea['id']}/vote")
    assert (removed.status_code, removed.json()["vote_count"], removed.json()["voted"]) == (
        200,
        0,
        False,
    )


def test_the_api_refuses_a_status_from_someone_outside_the_owning_team(cast):
    idea = _idea(cast)
    response = post_json(
        bearer(cast.alex), f"/api/v1/ideas/{idea.pk}/status", {"status": "planned", "reason": "x"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert _fresh(idea).status == "new"


def test_the_api_closed_idea_vote_is_a_409(cast):
    idea = _idea(cast)
    set_idea_status(actor=cast.lena, idea=idea, status="done", reason="Shipped.")
    response = bearer(cast.carl).put(f"/api/v1/ideas/{idea.pk}/vote")
    assert response.status_code == 409
    assert not IdeaVote.objects.exists()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/ideas?sort=popular", "sort"),
        ("/api/v1/ideas?status=shipped", "status"),
        ("/api/v1/ideas?team=no-such-team", "team"),
        ("/api/v1/ideas?colour=red", "colour"),
        ("/api/v1/ideas?cursor=!!!", "cursor"),
        ("/api/v1/ideas?limit=1000", "limit"),
    ],
)
def test_the_api_list_names_each_bad_parameter(cast, url, field):
    response = bearer(cast.rita).get(url)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "status": "done"}, "status"),
        ({"title": "X", "vote_count": 99}, "vote_count"),
        ({"title": "X", "team": "no-such-team"}, "team"),
        ({"body": "no title"}, "title"),
        ({"title": " "}, "title"),
    ],
)
def test_the_api_create_names_each_bad_field(cast, body, field):
    response = post_json(bearer(cast.rita), "/api/v1/ideas", body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Idea.objects.exists()


def test_the_api_status_refuses_fields_it_does_not_take(cast):
    idea = _idea(cast)
    response = post_json(
        bearer(cast.lena),
        f"/api/v1/ideas/{idea.pk}/status",
        {"status": "planned", "reason": "x", "actor": 1},
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"actor"}
    assert _fresh(idea).status == "new"


def test_the_api_without_credentials_is_a_401_everywhere(cast):
    from django.test import Client

    idea = _idea(cast)
    anonymous = Client()
    for method, url in [
        ("get", "/api/v1/ideas"),
        ("post", "/api/v1/ideas"),
        ("get", f"/api/v1/ideas/{idea.pk}"),
        ("put", f"/api/v1/ideas/{idea.pk}/vote"),
        ("delete", f"/api/v1/ideas/{idea.pk}/vote"),
        ("post", f"/api/v1/ideas/{idea.pk}/comments"),
        ("post", f"/api/v1/ideas/{idea.pk}/status"),
    ]:
        response = anonymous.generic(
            method.upper(), url, data="{}", content_type="application/json"
        )
        assert response.status_code == 401, (method, url)
    assert _fresh(idea).vote_count == 0


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PUT", "/vote", None),
        ("DELETE", "/vote", None),
        ("GET", "/comments", None),
        ("POST", "/comments", {"body": "Hello"}),
        ("POST", "/status", {"status": "done", "reason": "x"}),
    ],
)
def test_the_api_answers_an_unknown_idea_with_a_404(cast, method, suffix, body):
    response = bearer(cast.rita).generic(
        method,
        f"/api/v1/ideas/999999{suffix}",
        data=json.dumps(body) if body else "",
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- the pages --------------------------------------------------------------------------------


def test_voting_without_javascript_is_a_form_that_returns_to_the_list(cast):
    idea = _idea(cast)
    client = client_for(cast.carl)

    response = client.post(
        f"/ideas/{idea.pk}/vote/", {"vote": "add", "next": "/ideas/?sort=recent"}
    )
    assert (response.status_code, response["Location"]) == (302, "/ideas/?sort=recent")
    assert _fresh(idea).vote_count == 1
    off_site = client.post(
        f"/ideas/{idea.pk}/vote/", {"vote": "remove", "next": "https://evil.example/"}
    )
    assert off_site["Location"] == f"/ideas/{idea.pk}/"
    assert _fresh(idea).vote_count == 0


def test_voting_with_htmx_returns_the_button_in_its_new_state(cast):
    idea = _idea(cast)
    response = client_for(cast.carl).post(
        f"/ideas/{idea.pk}/vote/", {"vote": "add"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<form id="vote-{idea.pk}"')
    assert "1 vote" in body and "Remove my vote" in body


def test_a_refused_htmx_vote_keeps_the_button_and_says_why(cast):
    idea = _idea(cast)
    set_idea_status(actor=cast.lena, idea=idea, status="declined", reason="Not now.")
    response = client_for(cast.carl).post(
        f"/ideas/{idea.pk}/vote/", {"vote": "add"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Closed for votes" in body
    assert 'id="messages" hx-swap-oob' in body
    assert "This idea is closed and takes no more votes." in body
    assert not IdeaVote.objects.exists()


def test_the_pages_list_show_and_propose(cast):
    idea = _idea(cast, title="<b>Bold</b> idea")
    comment_on_idea(actor=cast.carl, idea=idea, body="<img src=x onerror=alert(1)>")
    client = client_for(cast.otto)

    listing = client.get("/ideas/?sort=status&team=it-service-desk")
    assert listing.status_code == 200
    assert "&lt;b&gt;Bold&lt;/b&gt; idea" in listing.content.decode()
    detail = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "onerror" not in detail
    assert "Answer as the owning team" not in detail
    assert (
        "Answer as the owning team"
        in client_for(cast.lena).get(f"/ideas/{idea.pk}/").content.decode()
    )

    proposed = client.post(
        "/ideas/new/", {"title": "Quarterly budget clinic", "team": "", "body": ""}
    )
    assert proposed.status_code == 302
    assert Idea.objects.get(title="Quarterly budget clinic").owning_team is None
    assert client.post("/ideas/new/", {"title": "", "team": ""}).status_code == 400


def test_the_list_page_answers_bad_filters_with_a_400(cast):
    client = client_for(cast.rita)
    for query in ("sort=popular", "status=shipped", "team=nope", "cursor=%21%21"):
        assert client.get(f"/ideas/?{query}").status_code == 400, query


def test_a_lead_answers_on_the_page_and_a_refusal_changes_nothing(cast):
    idea = _idea(cast)
    refused = client_for(cast.alex).post(
        f"/ideas/{idea.pk}/status/", {"status": "planned", "reason": "Yes"}
    )
    assert refused.status_code == 403
    assert _fresh(idea).status == "new"
    missing_reason = client_for(cast.lena).post(
        f"/ideas/{idea.pk}/status/", {"status": "planned", "reason": ""}
    )
    assert missing_reason.status_code == 400
    answered = client_for(cast.lena).post(
        f"/ideas/{idea.pk}/status/", {"status": "planned", "reason": "Yes"}
    )
    assert answered.status_code == 302
    assert _fresh(idea).status == IdeaStatus.PLANNED


def test_a_get_never_votes(cast):
    idea = _idea(cast)
    assert client_for(cast.carl).get(f"/ideas/{idea.pk}/vote/").status_code == 405
    assert _fresh(idea).vote_count == 0


def test_the_api_takes_exactly_the_models_statuses():
    assert set(get_args(StatusName)) == set(IdeaStatus.values)


# --- the demo ---------------------------------------------------------------------------------


def _demo_forum() -> list[tuple]:
    return list(
        Idea.objects.order_by("title").values_list(
            "title", "owning_team__slug", "status", "vote_count", "comment_count", "created_at"
        )
    )


def test_the_demo_forum_is_seeded_and_its_counters_are_its_rows(cast):
    from datetime import UTC, datetime

    from django.db import transaction

    from inhouse.demo.knowledge_ideas import IDEAS, write_demo_ideas

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with transaction.atomic():
        totals = write_demo_ideas(seed=3, now=now)
        first = _demo_forum()
        transaction.set_rollback(True)
    write_demo_ideas(seed=3, now=now)

    assert _demo_forum() == first
    assert totals.ideas == Idea.objects.count() == len(IDEAS)
    assert totals.votes == IdeaVote.objects.count() == sum(row[3] for row in first)
    assert totals.comments == IdeaComment.objects.count() == sum(row[4] for row in first)
    for idea in Idea.objects.all():
        assert idea.vote_count == idea.votes.count()
        assert idea.comment_count == idea.comments.count()
        history = list(idea.status_changes.order_by("created_at"))
        assert [change.to_status for change in history][-1:] == ([idea.status] if history else [])
        assert all(now >= change.created_at > idea.created_at for change in history)
    assert IdeaStatusChange.objects.count() == totals.status_changes > 0


def test_the_list_page_and_api_read_a_constant_number_of_queries(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page_client, api_client = client_for(cast.rita), bearer(cast.rita)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as on_page:
            assert page_client.get("/ideas/").status_code == 200
        with CaptureQueriesContext(connection) as on_api:
            assert api_client.get("/api/v1/ideas").status_code == 200
        return len(on_page), len(on_api)

    _idea(cast, title="One")
    # The token's first use of the minute records itself; count from the second call on.
    queries()
    few = queries()
    for n, team in enumerate(("facilities", "people_partners", None, "service_desk") * 3):
        idea = _idea(cast, title=f"More {n}", team=team)
        vote_for_idea(actor=cast.carl, idea=idea)
        comment_on_idea(actor=cast.otto, idea=idea, body="Yes")
    assert queries() == few


def test_a_refused_status_is_audited_in_words(cast):
    from inhouse.audit.models import AuditRecord

    idea = _idea(cast)
    post_json(
        bearer(cast.alex), f"/api/v1/ideas/{idea.pk}/status", {"status": "done", "reason": "x"}
    )
    record = AuditRecord.objects.get()
    assert (record.actor_id, record.detail, record.data["status"]) == (
        cast.alex.pk,
        "set the status of",
        403,
    )
