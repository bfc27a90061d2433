"""The org chart, team and person pages, and people search."""

import pytest
from tests.conftest import client_for
from tests.factories import make_person, make_service, make_team

from inhouse.catalog.models import Visibility
from inhouse.org.models import Membership, MembershipRole, Person

pytestmark = pytest.mark.django_db


def _grow_organization(cast, *, departments: int = 8, teams_each: int = 4, people_each: int = 6):
    """About 40 teams and 200 people, one service per team, in bulk."""
    people = []
    memberships = []
    for d in range(departments):
        department = make_team(f"Department {d}", f"D{d}")
        for t in range(teams_each):
            team = make_team(f"Team {d}-{t}", f"T{d}X{t}", parent=department)
            make_service(team, f"Service {d}-{t}")
            for p in range(people_each):
                people.append(
                    Person(full_name=f"Person {d}-{t}-{p}", email=f"p{d}-{t}-{p}@example.com")
                )
                memberships.append((team, MembershipRole.LEAD if p == 0 else MembershipRole.MEMBER))
    created = Person.objects.bulk_create(people)
    Membership.objects.bulk_create(
        Membership(person=person, team=team, role=role)
        for person, (team, role) in zip(created, memberships, strict=True)
    )


def test_org_chart_shows_the_tree_people_leads_and_services(cast):
    html = client_for(cast.rita).get("/org/").content.decode()

    # IT (a department) holds the IT Service Desk, nested inside its <details>.
    it_at = html.index('<span class="org-node__name">IT</span>')
    desk_at = html.index('<span class="org-node__name">IT Service Desk</span>')
    assert it_at < desk_at < html.index('<span class="org-node__name">Marketing</span>')
    lena = f'href="/org/people/{cast.lena.pk}/">Lena Tester</a>'
    assert f'{lena} <span class="org-role org-role--lead">Lead</span>' in html
    assert 'href="/catalog/printer/">Printer configuration</a>' in html


def test_org_chart_lists_only_services_the_viewer_may_request(cast):
    vault = make_service(cast.facilities, "Key vault", visibility=Visibility.RESTRICTED)
    vault.visible_to_teams.set([cast.finance])

    assert "Key vault" not in client_for(cast.rita).get("/org/").content.decode()
    assert "Key vault" in client_for(cast.otto).get("/org/").content.decode()


def test_org_chart_needs_a_handful_of_queries_however_big(cast, django_assert_max_num_queries):
    _grow_organization(cast)
    client = client_for(cast.rita)

    with django_assert_max_num_queries(10):
        response = client.get("/org/")

    html = response.content.decode()
    assert html.count('class="org-node org-node--team"') == 32 + 2
    assert "Person 7-3-5" in html


def test_team_page_lists_leads_first_and_offers_manage_to_leads(cast):
    lena_sees = client_for(cast.lena).get("/org/teams/it-service-desk/").content.decode()
    rita_sees = client_for(cast.rita).get("/org/teams/it-service-desk/").content.decode()

    assert lena_sees.index("Lena Tester") < lena_sees.index("Alex Tester")
    assert 'href="/catalog/manage/it-service-desk/"' in lena_sees
    assert "/catalog/manage/" not in rita_sees
    assert 'href="/org/teams/it/">IT</a>' in rita_sees


def test_unknown_team_is_404(cast):
    assert client_for(cast.rita).get("/org/teams/nope/").status_code == 404


def test_person_page_shows_teams_manager_and_reports(cast):
    boss = make_person("bea", team=cast.marketing, job_title="Head of Marketing")
    Person.objects.filter(pk__in=[cast.rita.pk, cast.carl.pk]).update(manager=boss)

    rita_page = client_for(cast.otto).get(f"/org/people/{cast.rita.pk}/").content.decode()
    boss_page = client_for(cast.otto).get(f"/org/people/{boss.pk}/").content.decode()

    assert f'href="/org/people/{boss.pk}/">Bea Tester</a>' in rita_page
    assert 'href="/org/teams/marketing/">Marketing</a>' in rita_page
    assert "Europe/Berlin" in rita_page
    assert "Head of Marketing" in boss_page
    assert boss_page.index("Carl Tester") < boss_page.index("Rita Tester")


def test_unknown_person_is_404(cast):
    assert client_for(cast.rita).get("/org/people/999999/").status_code == 404


def test_people_search_matches_names_and_titles(cast):
    make_person("nora", job_title="Payroll specialist", team=cast.finance)
    client = client_for(cast.rita)

    by_title = client.get("/org/people/", {"q": "payroll"}).content.decode()
    by_name = client.get("/org/people/", {"q": "lena"}).content.decode()

    assert "Nora Tester" in by_title and "Lena Tester" not in by_title
    assert f'href="/org/people/{cast.lena.pk}/">Lena Tester</a>' in by_name


def test_people_search_answers_htmx_with_the_results_only(cast):
    response = client_for(cast.rita).get(
        "/org/people/", {"q": "tester"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "9 people match “tester”." in html


def test_org_pages_need_a_login(client, cast):
    for url in ["/org/", "/org/teams/it/", f"/org/people/{cast.rita.pk}/", "/org/people/?q=a"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/")
