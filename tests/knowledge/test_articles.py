"""Knowledge articles: who sees drafts, revisions and restore, votes, suggestions and the
deflection rule, through the services and selectors, the pages and the API."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.knowledge.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleViewFromForm,
    ArticleVote,
    Deflection,
)
from inhouse.knowledge.selectors.articles import (
    get_article_for,
    revision_diff,
    revisions_of,
)
from inhouse.knowledge.services.articles import (
    StaleRevision,
    create_article,
    publish_article,
    record_view_from_form,
    restore_revision,
    settle_deflections,
    unpublish_article,
    update_article,
    vote_on_article,
)
from inhouse.search.selectors import ARTICLE_SUGGESTIONS, articles_suggested_for_service
from tests.conftest import client_for
from tests.desk.helpers import frozen_time, submit
from tests.factories import make_service

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _article(
    cast,
    *,
    title="Reset your VPN password",
    body="Open the portal.",
    publish=True,
    services=None,
    team=None,
):
    team = team or cast.service_desk
    author = {cast.facilities: cast.fred, cast.people_partners: cast.hana}.get(team, cast.alex)
    return create_article(
        actor=author,
        team=team,
        title=title,
        body=body,
        services=[cast.software_access] if services is None else services,
        publish=publish,
    )


# --- drafts and published articles ----------------------------------------------------------


def test_a_draft_is_seen_only_by_the_owning_teams_agents_and_leads_and_admins(cast):
    draft = _article(cast, publish=False)
    for person in (cast.alex, cast.ivy, cast.lena, cast.ada):
        assert get_article_for(person, draft.slug).pk == draft.pk
    for person in (cast.rita, cast.otto, cast.hana, cast.fred):
        with pytest.raises(NotFound):
            get_article_for(person, draft.slug)


def test_a_published_article_is_seen_by_everyone(cast):
    article = _article(cast)
    assert get_article_for(cast.rita, article.slug).pk == article.pk
    assert get_article_for(cast.otto, article.slug).pk == article.pk


def test_an_article_about_a_restricted_service_stays_with_those_who_may_ask_for_it(cast):
    restricted = make_service(
        cast.service_desk, "Server room access", slug="server-room", visibility="restricted"
    )
    restricted.visible_to_teams.add(cast.finance)
    article = _article(cast, services=[restricted])
    assert get_article_for(cast.otto, article.slug).pk == article.pk
    with pytest.raises(NotFound):
        get_article_for(cast.rita, article.slug)


def test_only_the_owning_teams_agents_write_and_nothing_changes_on_refusal(cast):
    article = _article(cast)
    for outsider in (cast.rita, cast.hana):
        with pytest.raises(PermissionDenied):
            update_article(actor=outsider, article=article, title="Hijacked")
        with pytest.raises(PermissionDenied):
            unpublish_article(actor=outsider, article=article)
        with pytest.raises(PermissionDenied):
            create_article(actor=outsider, team=cast.service_desk, title="Mine", body="")
    article.refresh_from_db()
    assert (article.title, article.status, article.revision_count) == (
        "Reset your VPN password",
        ArticleStatus.PUBLISHED,
        1,
    )
    assert Article.objects.count() == 1


def test_unpublishing_hides_the_article_from_requesters_again(cast):
    article = _article(cast)
    unpublish_article(actor=cast.lena, article=article)
    with pytest.raises(NotFound):
        get_article_for(cast.rita, article.slug)
    publish_article(actor=cast.lena, article=article)
    assert get_article_for(cast.rita, article.slug).status == ArticleStatus.PUBLISHED


def test_an_article_links_only_its_own_teams_services(cast):
    with pytest.raises(InvalidInput) as refused:
        _article(cast, services=[cast.cleaning])
    assert set(refused.value.fields) == {"services"}
    assert not Article.objects.exists()


def test_the_same_title_twice_gets_two_addresses(cast):
    first = _article(cast)
    second = _article(cast)
    assert (first.slug, second.slug) == ("reset-your-vpn-password", "reset-your-vpn-password-2")


# --- revisions --------------------------------------------------------------------------


def test_each_save_that_changes_the_text_stores_a_revision_with_its_author(cast):
    article = _article(cast, body="Step one.")
    update_article(actor=cast.ivy, article=article, body="Step one.\nStep two.")
    update_article(actor=cast.ivy, article=article, services=[])  # links only: no revision
    revisions = list(revisions_of(article))
    assert [(r.number, r.author, r.body) for r in revisions] == [
        (2, cast.ivy, "Step one.\nStep two."),
        (1, cast.alex, "Step one."),
    ]
    article.refresh_from_db()
    assert article.revision_count == 2
    assert list(article.services.all()) == []


def test_the_diff_shows_what_changed_between_two_revisions(cast):
    article = _article(cast, body="Keep this.\nOld step.")
    update_article(
        actor=cast.alex, article=article, title="Reset VPN", body="Keep this.\nNew step."
    )
    newer, older = revisions_of(article)
    lines = [(line.kind, line.text) for line in revision_diff(older, newer) if line.kind != "hunk"]
    assert ("removed", "# Reset your VPN password") in lines
    assert ("added", "# Reset VPN") in lines
    assert ("removed", "Old step.") in lines
    assert ("added", "New step.") in lines
    assert ("context", "Keep this.") in lines


def test_restoring_a_revision_appends_a_new_one_with_the_old_text(cast):
    article = _article(cast, body="Original.")
    update_article(actor=cast.alex, article=article, title="Wrong", body="Broken.")
    restored = restore_revision(actor=cast.lena, article=article, number=1)
    assert (restored.title, restored.body, restored.revision_count) == (
        "Reset your VPN password",
        "Original.",
        3,
    )
    newest = revisions_of(article).first()
    assert (newest.number, newest.author, newest.restored_from) == (3, cast.lena, 1)
    assert ArticleRevision.objects.filter(article=article).count() == 3


def test_restoring_is_refused_to_outsiders_and_an_unknown_revision_is_not_found(cast):
    article = _article(cast)
    with pytest.raises(PermissionDenied):
        restore_revision(actor=cast.rita, article=article, number=1)
    with pytest.raises(NotFound):
        restore_revision(actor=cast.alex, article=article, number=9)
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_a_save_from_a_stale_revision_is_refused(cast):
    article = _article(cast)
    update_article(actor=cast.ivy, article=article, body="Ivy's version.")
    with pytest.raises(StaleRevision):
        update_article(actor=cast.alex, article=article, body="Alex's.", expected_revision=1)
    article.refresh_from_db()
    assert article.body == "Ivy's version."


# --- votes ----------------------------------------------------------------------------------


def test_one_vote_per_person_and_article_which_they_may_change(cast):
    article = _article(cast)
    vote_on_article(actor=cast.rita, article=article, helpful=False)
    vote_on_article(actor=cast.rita, article=article, helpful=True)
    vote_on_article(actor=cast.carl, article=article, helpful=False)
    assert ArticleVote.objects.filter(article=article).count() == 2
    counted = get_article_for(cast.rita, article.slug)
    assert (counted.helpful_yes, counted.helpful_no) == (1, 1)


def test_a_draft_takes_no_votes(cast):
    draft = _article(cast, publish=False)
    with pytest.raises(PermissionDenied):
        vote_on_article(actor=cast.alex, article=draft, helpful=True)
    assert not ArticleVote.objects.exists()


# --- suggestions ----------------------------------------------------------------------------


def _suggested(person, service, text):
    return [hit.object_id for hit in articles_suggested_for_service(person, service, text)]


def test_suggestions_match_any_word_of_the_services_and_its_teams_published_articles(cast):
    of_team = _article(cast, title="VPN on a hotel network", services=[])
    of_service = _article(cast, title="Access for new starters", body="Ask for the VPN first.")
    _article(cast, title="VPN draft", publish=False)
    _article(cast, title="Printer drivers")
    _article(cast, title="VPN for the cleaning crew", team=cast.facilities, services=[])
    # Any telling word matches, stemmed ("networks"); the service's own articles first.
    found = _suggested(cast.rita, cast.software_access, "my vpn is broken on hotel networks")
    assert found == [of_service.pk, of_team.pk]


def test_suggestions_are_bounded_and_ignore_short_and_common_words(cast):
    for number in range(ARTICLE_SUGGESTIONS + 3):
        _article(cast, title=f"Laptop tip {number}", body="How to and what for.")
    assert _suggested(cast.rita, cast.software_access, "a to how what for") == []
    assert len(_suggested(cast.rita, cast.software_access, "laptop " * 500)) == (
        ARTICLE_SUGGESTIONS
    )


def test_suggestions_never_offer_an_article_the_requester_may_not_read(cast):
    restricted = make_service(
        cast.service_desk, "Server room access", slug="server-room", visibility="restricted"
    )
    hidden = _article(cast, title="Server room keys", services=[restricted])
    assert _suggested(cast.rita, cast.software_access, "server keys") == []
    # The service desk's own agent may read it, so it is offered to him.
    assert _suggested(cast.alex, cast.software_access, "server keys") == [hidden.pk]


# --- deflections ----------------------------------------------------------------------------


def _viewer(person):
    return policy.viewer_for(person)


def test_viewing_from_a_form_and_not_submitting_counts_one_deflection_after_the_window(cast):
    article = _article(cast)
    with frozen_time(MORNING) as clock:
        record_view_from_form(
            viewer=_viewer(cast.rita), article=article, service=cast.software_access
        )
        clock.advance(minutes=29)
        assert settle_deflections() == 0
        assert not Deflection.objects.exists()
        clock.advance(minutes=2)
        assert settle_deflections() == 1
    deflection = Deflection.objects.get()
    assert (deflection.person, deflection.article, deflection.service, deflection.day) == (
        cast.rita,
        article,
        cast.software_access,
        MORNING.date(),
    )


def test_submitting_to_the_service_within_the_window_is_no_deflection(cast):
    article = _article(cast)
    with frozen_time(MORNING) as clock:
        record_view_from_form(
            viewer=_viewer(cast.rita), article=article, service=cast.software_access
        )
        clock.advance(minutes=10)
        submit(
            cast,
            actor=cast.rita,
            service=cast.software_access,
            form_answers={"application": "Figma", "justification": "Design work"},
        )
        clock.advance(minutes=40)
        assert settle_deflections() == 1
    assert not Deflection.objects.exists()
    assert ArticleViewFromForm.objects.get().settled_at is not None


def test_submitting_to_another_service_still_counts_the_deflection(cast):
    article = _article(cast)
    with frozen_time(MORNING) as clock:
        record_view_from_form(
            viewer=_viewer(cast.rita), article=article, service=cast.software_access
        )
        clock.advance(minutes=5)
        submit(cast, actor=cast.rita, service=cast.printer)
        clock.advance(minutes=30)
        settle_deflections()
    assert Deflection.objects.count() == 1


def test_a_deflection_is_counted_at_most_once_per_person_article_service_and_day(cast):
    article = _article(cast)
    with frozen_time(MORNING) as clock:
        for _ in range(3):
            record_view_from_form(
                viewer=_viewer(cast.rita), article=article, service=cast.software_access
            )
            clock.advance(minutes=45)
            settle_deflections()
        assert Deflection.objects.count() == 1
        clock.advance(days=1)
        record_view_from_form(
            viewer=_viewer(cast.rita), article=article, service=cast.software_access
        )
        clock.advance(minutes=31)
        settle_deflections()
        # Settling again (a second worker) changes nothing.
        settle_deflections()
    assert sorted(Deflection.objects.values_list("day", flat=True)) == [
        MORNING.date(),
        MORNING.date() + timedelta(days=1),
    ]


def test_no_view_is_recorded_for_a_draft_or_an_article_of_another_team(cast):
    draft = _article(cast, publish=False)
    foreign = _article(cast, title="Desk cleaning", team=cast.facilities, services=[])
    rita = _viewer(cast.rita)
    assert record_view_from_form(viewer=rita, article=draft, service=cast.software_access) is None
    assert record_view_from_form(viewer=rita, article=foreign, service=cast.software_access) is None
    assert not ArticleViewFromForm.objects.exists()


# --- pages ---------------------------------------------------------------------------------


def test_opening_an_article_from_a_form_records_the_view(cast):
    article = _article(cast)
    page = client_for(cast.rita).get(f"/kb/{article.slug}/?from_service=software-access")
    assert page.status_code == 200
    assert (
        ArticleViewFromForm.objects.filter(person=cast.rita, service=cast.software_access).count()
        == 1
    )


def test_a_from_service_naming_a_hidden_service_records_nothing_and_still_shows_the_article(cast):
    article = _article(cast, title="Conflict guide", team=cast.people_partners, services=[])
    page = client_for(cast.otto).get(f"/kb/{article.slug}/?from_service=no-such-service")
    assert page.status_code == 200
    assert not ArticleViewFromForm.objects.exists()


def test_a_draft_page_is_404_to_a_requester(cast):
    draft = _article(cast, publish=False, body="secret plan")
    page = client_for(cast.rita).get(f"/kb/{draft.slug}/")
    assert page.status_code == 404
    assert b"secret plan" not in page.content
    index = client_for(cast.rita).get("/kb/")
    assert draft.title.encode() not in index.content


def test_the_article_body_is_sanitised(cast):
    article = _article(cast, body="[x](javascript:alert(1)) <script>alert(2)</script>")
    page = client_for(cast.rita).get(f"/kb/{article.slug}/")
    assert b"javascript:" not in page.content
    assert b"<script>alert(2)" not in page.content


def test_suggestions_page_without_javascript(cast):
    _article(cast, title="VPN access for new starters")
    page = client_for(cast.rita).get("/search/articles/?service=software-access&q=vpn")
    assert page.status_code == 200
    # The title with the matched word marked, linked so that a visit can count.
    assert b"<mark>VPN</mark> access for new starters" in page.content
    assert b"from_service=software-access" in page.content


def test_suggestions_for_a_hidden_service_are_404(cast):
    _article(cast, title="Mediation steps", team=cast.people_partners, services=[cast.mediation])
    page = client_for(cast.otto).get("/search/articles/?service=no-such&q=mediation")
    assert page.status_code == 404


def test_the_editor_creates_edits_and_restores_without_javascript(cast):
    alex = client_for(cast.alex)
    created = alex.post(
        "/kb/new/",
        {
            "team": cast.service_desk.slug,
            "title": "Printer jams",
            "body": "Open tray 2.",
            "services": [cast.printer.pk],
        },
    )
    assert created.status_code == 302
    article = Article.objects.get()
    assert article.status == ArticleStatus.DRAFT
    edited = alex.post(
        f"/kb/{article.slug}/edit/",
        {
            "title": "Printer jams",
            "body": "Open tray 3.",
            "services": [cast.printer.pk],
            "revision": 1,
        },
    )
    assert edited.status_code == 302
    assert alex.post(f"/kb/{article.slug}/publish/").status_code == 302
    assert alex.post(f"/kb/{article.slug}/revisions/1/restore/").status_code == 302
    article.refresh_from_db()
    assert (article.status, article.body, article.revision_count) == (
        ArticleStatus.PUBLISHED,
        "Open tray 2.",
        3,
    )
    diff = alex.get(f"/kb/{article.slug}/revisions/?from=1&to=2")
    assert b"Open tray 3." in diff.content


def test_the_editor_is_404_to_a_requester_and_nothing_changes(cast):
    article = _article(cast)
    rita = client_for(cast.rita)
    assert rita.get(f"/kb/{article.slug}/edit/").status_code == 404
    assert rita.post(f"/kb/{article.slug}/unpublish/").status_code == 404
    assert rita.post(f"/kb/{article.slug}/edit/", {"title": "x", "body": "y"}).status_code == 404
    article.refresh_from_db()
    assert (article.status, article.title) == (ArticleStatus.PUBLISHED, "Reset your VPN password")


def test_voting_on_the_page(cast):
    article = _article(cast)
    rita = client_for(cast.rita)
    assert rita.post(f"/kb/{article.slug}/helpful/", {"helpful": "yes"}).status_code == 302
    assert rita.post(f"/kb/{article.slug}/helpful/", {"helpful": "no"}).status_code == 302
    assert list(ArticleVote.objects.values_list("helpful", flat=True)) == [False]


def test_the_service_page_lists_its_published_articles(cast):
    _article(cast, title="VPN access for new starters")
    _article(cast, title="Unfinished", publish=False)
    page = client_for(cast.rita).get("/kb/services/software-access/articles/")
    assert b"VPN access for new starters" in page.content
    assert b"Unfinished" not in page.content


def test_the_reply_picker_returns_markdown_link_text(cast):
    article = _article(cast, title="VPN [setup]")
    page = client_for(cast.alex).get(f"/kb/picker/{article.slug}/link/")
    assert page.status_code == 200
    assert page.content.decode() == f"[VPN \\[setup\\]](http://testserver/kb/{article.slug}/)"
    assert client_for(cast.rita).get("/kb/picker/?q=vpn").status_code == 404


# --- API ------------------------------------------------------------------------------------


def _json(response):
    return json.loads(response.content)


def test_api_creates_lists_updates_and_publishes(cast):
    alex = client_for(cast.alex)
    created = alex.post(
        "/api/v1/articles",
        {
            "team": "it-service-desk",
            "title": "Printer jams",
            "body": "Tray 2.",
            "services": ["printer"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    slug = _json(created)["slug"]
    assert _json(created)["status"] == "draft"
    assert _json(client_for(cast.rita).get("/api/v1/articles"))["items"] == []
    patched = alex.patch(
        f"/api/v1/articles/{slug}",
        {"body": "Tray 3."},
        content_type="application/json",
        HTTP_IF_MATCH="1",
    )
    assert _json(patched)["revision"] == 2
    published = alex.post(f"/api/v1/articles/{slug}/publish")
    assert _json(published)["status"] == "published"
    listed = _json(client_for(cast.rita).get("/api/v1/articles?service=printer"))
    assert [item["slug"] for item in listed["items"]] == [slug]
    revisions = _json(alex.get(f"/api/v1/articles/{slug}/revisions"))
    assert [r["number"] for r in revisions["items"]] == [2, 1]


def test_api_hides_drafts_and_refuses_outsiders_changes(cast):
    draft = _article(cast, publish=False)
    rita = client_for(cast.rita)
    assert rita.get(f"/api/v1/articles/{draft.slug}").status_code == 404
    published = _article(cast, title="Public")
    refused = rita.patch(
        f"/api/v1/articles/{published.slug}", {"title": "Mine"}, content_type="application/json"
    )
    assert refused.status_code == 403
    published.refresh_from_db()
    assert published.title == "Public"


def test_api_rejects_unknown_fields_and_parameters(cast):
    alex = client_for(cast.alex)
    bad = alex.post(
        "/api/v1/articles",
        {"team": "it-service-desk", "title": "x", "status": "published"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "status" in _json(bad)["error"]["fields"]
    assert alex.get("/api/v1/articles?sort=title").status_code == 400


def test_api_helpful_votes(cast):
    article = _article(cast)
    rita = client_for(cast.rita)
    answered = rita.put(
        f"/api/v1/articles/{article.slug}/helpful",
        {"helpful": True},
        content_type="application/json",
    )
    assert answered.status_code == 200
    assert _json(answered) == {"helpful": True, "helpful_yes": 1, "helpful_no": 0}
    assert _json(rita.get(f"/api/v1/articles/{article.slug}/helpful"))["helpful"] is True


# --- the worker and the demo ------------------------------------------------------------------


def test_the_workers_task_settles_due_views(cast):
    from inhouse.knowledge.tasks import settle_article_deflections

    article = _article(cast)
    record_view_from_form(
        viewer=_viewer(cast.rita),
        article=article,
        service=cast.software_access,
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    assert settle_article_deflections.call() == 1
    assert Deflection.objects.filter(person=cast.rita).count() == 1


def test_the_demo_has_about_150_articles_linked_to_their_teams_services(db):
    from django.db.models import F

    from inhouse.demo.generator import generate_demo

    generate_demo(seed=3, request_count=0, now=MORNING)
    articles = Article.objects.all()
    assert 140 <= articles.count() <= 170
    links = Article.services.through.objects.all()
    assert links.count() == articles.count()
    assert not links.exclude(service__provider_team=F("article__team")).exists()
    for article in articles.filter(revision_count__gt=1)[:20]:
        assert article.revisions.count() == article.revision_count
        assert article.revisions.get(number=article.revision_count).body == article.body
    assert ArticleVote.objects.count() > 1000
    assert Deflection.objects.exists()
    assert not Deflection.objects.filter(article__status=ArticleStatus.DRAFT).exists()
