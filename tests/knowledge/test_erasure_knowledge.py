"""Erasing a person reaches knowledge: with --text their ideas and idea comments lose their
words and keep votes, status and counts; articles they wrote keep the team's words under
the pseudonymised author."""

import pytest

from inhouse.desk.models import Notification
from inhouse.desk.services import erase_person, plan_erasure
from inhouse.desk.services.erasure import ERASED_TEXT
from inhouse.knowledge.models import Article, ArticleRevision
from inhouse.knowledge.models.ideas import Idea, IdeaComment, IdeaStatus
from inhouse.knowledge.services.articles import create_article, update_article
from inhouse.knowledge.services.ideas import (
    comment_on_idea,
    propose_idea,
    set_idea_status,
    vote_for_idea,
)
from inhouse.org.models import Membership, MembershipRole
from inhouse.search.models import PendingChange
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas(cast):
    lead = make_person("leo", team=cast.service_desk, role=MembershipRole.LEAD)
    hers = propose_idea(
        actor=cast.rita, title="Office hours for laptops", body="Every **Tuesday**.",
        owning_team=cast.service_desk,
    )  # fmt: skip
    untold = propose_idea(actor=cast.rita, title="A chat channel", body="", owning_team=None)
    carls = propose_idea(
        actor=cast.carl, title="Shared calendar", body="For leave.", owning_team=None
    )
    vote_for_idea(actor=cast.carl, idea=hers)
    vote_for_idea(actor=cast.otto, idea=hers)
    her_comment = comment_on_idea(actor=cast.rita, idea=carls, body="Yes, with holidays too.")
    carls_comment = comment_on_idea(actor=cast.carl, idea=hers, body="Mornings please.")
    set_idea_status(actor=lead, idea=hers, status=IdeaStatus.PLANNED, reason="From May.")
    return {"hers": hers, "untold": untold, "carls": carls, "her_comment": her_comment,
            "carls_comment": carls_comment}  # fmt: skip


def test_with_text_her_ideas_and_comments_lose_their_words_and_keep_votes_and_status(cast, ideas):
    report = erase_person(cast.rita, by=cast.ada, include_text=True)

    hers = Idea.objects.get(pk=ideas["hers"].pk)
    assert (hers.title, hers.body) == (ERASED_TEXT, ERASED_TEXT)
    assert (hers.vote_count, hers.comment_count, hers.status, hers.status_reason) == (
        2, 1, IdeaStatus.PLANNED, "From May.",
    )  # fmt: skip
    assert hers.votes.count() == 2
    # A description never written is not claimed to have been erased.
    untold = Idea.objects.get(pk=ideas["untold"].pk)
    assert (untold.title, untold.body) == (ERASED_TEXT, "")
    assert IdeaComment.objects.get(pk=ideas["her_comment"].pk).body == ERASED_TEXT
    # Carl's idea and comment are his.
    carls = Idea.objects.get(pk=ideas["carls"].pk)
    assert (carls.title, carls.body) == ("Shared calendar", "For leave.")
    assert IdeaComment.objects.get(pk=ideas["carls_comment"].pk).body == "Mornings please."
    assert dict(report.elsewhere)["ideas' titles and descriptions replaced"] == 2
    assert dict(report.elsewhere)["idea comments replaced"] == 1


def test_the_notices_about_her_idea_lose_its_title(cast, ideas):
    notices = Notification.objects.filter(params__idea=ideas["hers"].pk)
    assert notices.exists() and all(n.params["title"] for n in notices)

    erase_person(cast.rita, by=cast.ada, include_text=True)

    assert {n.params["title"] for n in notices.all()} == {ERASED_TEXT}
    assert {n.params["status"] for n in notices.all()} == {IdeaStatus.PLANNED}


def test_search_is_told_about_every_idea_whose_words_changed(cast, ideas):
    PendingChange.objects.all().delete()

    erase_person(cast.rita, by=cast.ada, include_text=True)

    changed = set(PendingChange.objects.filter(kind="idea").values_list("object_id", flat=True))
    # Hers, and Carl's, whose comments in the index include hers.
    assert {ideas["hers"].pk, ideas["untold"].pk, ideas["carls"].pk} <= changed


def test_without_text_her_ideas_keep_their_words(cast, ideas):
    assert (
        dict(plan_erasure(cast.rita, include_text=False).elsewhere).get("idea comments replaced")
        is None
    )

    erase_person(cast.rita, by=cast.ada, include_text=False)

    assert Idea.objects.get(pk=ideas["hers"].pk).title == "Office hours for laptops"
    assert IdeaComment.objects.get(pk=ideas["her_comment"].pk).body == "Yes, with holidays too."


def test_articles_she_revised_keep_the_teams_words_under_her_pseudonym(cast):
    # She writes for the service desk as one of its agents.
    Membership.objects.create(person=cast.rita, team=cast.service_desk, role=MembershipRole.AGENT)
    article = create_article(
        actor=cast.alex, team=cast.service_desk, title="Reset your VPN", body="Open the app."
    )
    update_article(actor=cast.rita, article=article, body="Open the app, then Reset.")

    report = erase_person(cast.rita, by=cast.ada, include_text=True)

    article = Article.objects.get(pk=article.pk)
    assert (article.title, article.body) == ("Reset your VPN", "Open the app, then Reset.")
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert revision.body == "Open the app, then Reset."
    assert revision.author.full_name == report.pseudonym
