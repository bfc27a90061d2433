"""A refused change on an idea, an article or a training session is audited with its object,
through the API and the pages, and the object is left as it was."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import client_for
from tests.factories import make_person

from inhouse.audit.refusals import target_named_by
from inhouse.feedback.models import TrainingSession
from inhouse.knowledge.models import Article
from inhouse.knowledge.models.ideas import Idea, IdeaStatus
from inhouse.knowledge.services.articles import create_article
from inhouse.knowledge.services.ideas import propose_idea
from inhouse.org.models import MembershipRole

from .helpers import bearer, patch_json, post_json, refusals

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(cast) -> Idea:
    return propose_idea(
        actor=cast.rita, title="Office hours", body="Tuesdays.", owning_team=cast.service_desk
    )


@pytest.fixture
def article(cast) -> Article:
    return create_article(
        actor=cast.alex, team=cast.service_desk, title="Reset your VPN", body="Open the app.",
        services=[cast.software_access], publish=True,
    )  # fmt: skip


def _idea_state(idea: Idea) -> tuple:
    fresh = Idea.objects.get(pk=idea.pk)
    return (fresh.status, fresh.status_reason, fresh.vote_count, fresh.status_changes.count())


def _article_state(article: Article) -> tuple:
    fresh = Article.objects.get(pk=article.pk)
    return (fresh.title, fresh.body, fresh.revision_count)


def test_a_status_change_by_someone_outside_the_owning_team_is_audited_with_the_idea(cast, idea):
    before = _idea_state(idea)

    response = post_json(
        bearer(cast.carl), f"/api/v1/ideas/{idea.pk}/status",
        {"status": IdeaStatus.PLANNED, "reason": "I like it"},
    )  # fmt: skip

    assert response.status_code == 403
    assert _idea_state(idea) == before
    [record] = refusals()
    assert (record.actor, record.door, record.detail) == (cast.carl, "api", "set the status of")
    assert (record.target_kind, record.target_id, record.target_label) == ("idea", str(idea.pk), "")
    assert record.data["route"] == "POST /api/v1/ideas/<idea_id>/status"


def test_a_status_change_refused_on_the_ideas_page_is_audited_with_the_idea(cast, idea):
    before = _idea_state(idea)

    response = client_for(cast.carl).post(
        f"/ideas/{idea.pk}/status/", {"status": IdeaStatus.DECLINED, "reason": "No"}
    )

    assert response.status_code == 403
    assert _idea_state(idea) == before
    [record] = refusals()
    assert (record.door, record.detail, record.data["route"]) == (
        "web", "set the status of", "ideas:status",
    )  # fmt: skip
    assert (record.target_kind, record.target_id) == ("idea", str(idea.pk))


def test_a_vote_without_accepted_credentials_is_audited_with_the_idea(cast, idea):
    before = _idea_state(idea)

    response = Client().put(
        f"/api/v1/ideas/{idea.pk}/vote", headers={"Authorization": "Bearer ih_not_a_token"}
    )

    assert response.status_code == 401
    assert _idea_state(idea) == before
    [record] = refusals()
    assert (record.actor, record.detail, record.data["credentials"]) == (
        None, "vote for", "bearer token",
    )  # fmt: skip
    assert (record.target_kind, record.target_id) == ("idea", str(idea.pk))


def test_a_vote_for_an_idea_that_does_not_exist_is_audited_with_the_id_tried(cast):
    response = bearer(cast.carl).put("/api/v1/ideas/987654/vote")

    assert response.status_code == 404
    [record] = refusals()
    assert (record.actor, record.detail) == (cast.carl, "vote for")
    assert (record.target_kind, record.target_id) == ("idea", "987654")


def test_an_article_edit_by_someone_not_of_its_team_is_audited_with_the_article(cast, article):
    before = _article_state(article)

    response = patch_json(bearer(cast.carl), f"/api/v1/articles/{article.slug}", {"body": "Mine"})

    assert response.status_code == 403
    assert _article_state(article) == before
    [record] = refusals()
    assert (record.actor, record.detail) == (cast.carl, "change")
    assert (record.target_kind, record.target_id, record.target_label) == (
        "article", article.slug, article.slug,
    )  # fmt: skip


def test_an_article_edit_refused_on_its_page_is_audited_with_the_article(cast, article):
    before = _article_state(article)

    response = client_for(cast.carl).post(
        f"/kb/{article.slug}/edit/", {"title": "Mine", "body": "Mine", "revision": 1}
    )

    assert response.status_code == 404
    assert _article_state(article) == before
    [record] = refusals()
    assert (record.door, record.detail, record.data["route"]) == ("web", "change", "knowledge:edit")
    assert (record.target_kind, record.target_id) == ("article", article.slug)


def test_a_training_session_changed_by_someone_not_leading_its_team_is_audited(cast):
    lead = make_person("leo", team=cast.service_desk, role=MembershipRole.LEAD)
    starts = timezone.now() + timedelta(days=3)
    session = TrainingSession.objects.create(
        provider_team=cast.service_desk, title="Asking well", starts_at=starts,
        ends_at=starts + timedelta(hours=1), place="Room 4", capacity=10, created_by=lead,
    )  # fmt: skip

    response = client_for(cast.carl).post(f"/training/{session.pk}/edit/", {"title": "Mine"})

    assert response.status_code == 404
    session.refresh_from_db()
    assert session.title == "Asking well"
    [record] = refusals()
    assert (record.detail, record.target_kind, record.target_id) == (
        "change", "training_session", str(session.pk),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("address", "namespace", "expected"),
    [
        ({"idea_id": 7}, "api", ("idea", "7", "")),
        ({"article_slug": "reset-vpn"}, "knowledge", ("article", "reset-vpn", "reset-vpn")),
        ({"article_slug": "reset-vpn", "number": 2}, "api", ("article", "reset-vpn", "reset-vpn")),
        ({"survey_id": 3}, "api", ("survey", "3", "")),
        ({"pk": 3}, "surveys", ("survey", "3", "")),
        ({"team_slug": "it", "pk": 3}, "surveys", ("survey", "3", "")),
        ({"session_id": 5}, "api", ("training_session", "5", "")),
        ({"pk": 5}, "kudos", ("training_session", "5", "")),
    ],
)
def test_feedback_and_knowledge_addresses_name_their_object(address, namespace, expected):
    target = target_named_by(address, namespace=namespace)

    assert (target.kind, target.id, target.label) == expected


def test_kudos_over_the_daily_cap_are_audited_through_the_api_and_the_page(cast, settings):
    settings.KUDOS_DAILY_CAP = 1
    api = bearer(cast.rita)
    sent = post_json(api, "/api/v1/kudos", {"to_team": cast.service_desk.slug, "message": "Thanks"})
    assert sent.status_code == 201, sent.content

    capped = post_json(api, "/api/v1/kudos", {"to_team": cast.service_desk.slug, "message": "More"})
    page = client_for(cast.rita).post(
        "/kudos/give/", {"recipient": f"team:{cast.service_desk.slug}", "message": "Even more"}
    )

    assert capped.status_code == 429
    assert page.status_code == 400  # the form again, with the cap's message
    records = refusals()
    assert [(record.data["status"], record.door) for record in records] == [
        (429, "api"), (429, "web"),
    ]  # fmt: skip
    assert all(record.actor_id == cast.rita.pk for record in records)
