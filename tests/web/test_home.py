"""Home: the viewer's recent services, the organization's most requested, then departments."""

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.conftest import client_for
from tests.desk.helpers import frozen_time, submit
from tests.factories import make_service

from inhouse import policy
from inhouse.catalog.models import Visibility
from inhouse.catalog.selectors import most_requested_service_ids, recent_service_ids
from inhouse.desk.models import Request
from inhouse.web.views.home import MOST_REQUESTED, RECENT_SERVICES, home_catalog

pytestmark = pytest.mark.django_db

MEDIATION_ANSWERS = {"summary": "A private matter"}


def _names(rows) -> list[str]:
    return [row.service.name for row in rows]


def _ask(cast, service, times: int = 1, *, actor=None, **options) -> None:
    for _ in range(times):
        submit(cast, actor=actor or cast.carl, service=service, **options)


# --- the viewer's recent services ----------------------------------------------------------


def test_recent_services_are_the_viewers_own_newest_first_each_once(cast):
    _ask(cast, cast.printer, actor=cast.rita)
    _ask(cast, cast.cleaning, actor=cast.rita)
    _ask(cast, cast.printer, actor=cast.rita)
    _ask(cast, cast.software_access, actor=cast.carl, form_answers={"application": "Figma"})

    catalog = home_catalog(policy.viewer_for(cast.rita), "")

    assert _names(catalog.recent) == ["Printer configuration", "Cleaning"]


def test_recent_services_stop_at_their_limit(cast):
    for number in range(RECENT_SERVICES + 2):
        service = make_service(cast.facilities, f"Room setup {number}")
        _ask(cast, service, actor=cast.rita)

    recent = home_catalog(policy.viewer_for(cast.rita), "").recent

    assert len(recent) == RECENT_SERVICES
    assert recent[0].service.name == f"Room setup {RECENT_SERVICES + 1}"


def test_a_confidential_case_is_no_shortcut_on_the_home_page(cast):
    _ask(cast, cast.mediation, actor=cast.rita, form_answers=MEDIATION_ANSWERS)
    _ask(cast, cast.cleaning, actor=cast.rita)

    assert _names(home_catalog(policy.viewer_for(cast.rita), "").recent) == ["Cleaning"]


def test_a_service_the_viewer_may_no_longer_request_leaves_their_recent_services(cast):
    vault = make_service(cast.facilities, "Key vault")
    _ask(cast, vault, actor=cast.rita)
    vault.visibility = Visibility.RESTRICTED
    vault.save(update_fields=["visibility"])

    # The selector remembers it; the page shows only what the viewer may request.
    assert recent_service_ids(policy.viewer_for(cast.rita), limit=4) == [vault.pk]
    assert home_catalog(policy.viewer_for(cast.rita), "").recent == []


# --- the organization's most requested -----------------------------------------------------


def test_most_requested_ranks_the_last_90_days_across_the_organization(cast):
    with frozen_time(timezone.now() - timedelta(days=91)):
        _ask(cast, cast.software_access, 5, form_answers={"application": "Figma"})
    _ask(cast, cast.cleaning, 3)
    _ask(cast, cast.printer, 2, actor=cast.otto)

    catalog = home_catalog(policy.viewer_for(cast.ivy), "")

    # Software access was asked most, but not in the last 90 days.
    assert _names(catalog.most_requested) == ["Cleaning", "Printer configuration"]


def test_confidential_requests_are_never_counted(cast):
    _ask(cast, cast.mediation, 9, form_answers=MEDIATION_ANSWERS)
    # Printer requests made confidential one by one (as an agent may when one turns personal).
    _ask(cast, cast.printer, 5)
    Request.objects.filter(service=cast.printer).update(confidential=True)
    _ask(cast, cast.cleaning, 1)

    # Not even for HR's own agent, who may see every one of those cases.
    for person in (cast.hana, cast.rita, cast.ada):
        most = home_catalog(policy.viewer_for(person), "").most_requested
        assert _names(most) == ["Cleaning"]
    assert Request.objects.filter(confidential=True).count() == 9 + 5


def test_most_requested_leaves_out_what_the_viewer_may_not_see_and_their_recent_ones(cast):
    vault = make_service(cast.facilities, "Key vault", visibility=Visibility.RESTRICTED)
    vault.visible_to_teams.set([cast.finance])
    _ask(cast, vault, 4, actor=cast.otto)
    _ask(cast, cast.cleaning, 3)
    _ask(cast, cast.printer, 2, actor=cast.rita)

    rita_sees = home_catalog(policy.viewer_for(cast.rita), "")
    otto_sees = home_catalog(policy.viewer_for(cast.otto), "")

    assert _names(rita_sees.recent) == ["Printer configuration"]
    assert _names(rita_sees.most_requested) == ["Cleaning"]
    assert _names(otto_sees.recent) == ["Key vault"]
    assert _names(otto_sees.most_requested) == ["Cleaning", "Printer configuration"]
    # An org admin may request everything, and sees the ranking whole.
    assert _names(home_catalog(policy.viewer_for(cast.ada), "").most_requested) == [
        "Key vault",
        "Cleaning",
        "Printer configuration",
    ]


def test_most_requested_shows_a_few(cast):
    for number in range(MOST_REQUESTED + 3):
        _ask(cast, make_service(cast.facilities, f"Room setup {number}"))

    assert len(home_catalog(policy.viewer_for(cast.rita), "").most_requested) == MOST_REQUESTED


def test_the_ranking_is_kept_for_an_hour_and_redone_after_a_catalog_change(
    cast, django_assert_num_queries
):
    _ask(cast, cast.cleaning, 2)
    with frozen_time(timezone.now()) as clock:
        assert most_requested_service_ids() == [cast.cleaning.pk]
        _ask(cast, cast.printer, 3)
        clock.advance(minutes=59)
        # The catalog's version row only: the ranking is the one from a minute ago.
        with django_assert_num_queries(1):
            assert most_requested_service_ids() == [cast.cleaning.pk]
        clock.advance(minutes=2)
        assert most_requested_service_ids() == [cast.printer.pk, cast.cleaning.pk]

        _ask(cast, cast.cleaning, 2)
        make_service(cast.facilities, "Room setup")  # any change to the catalog
        assert most_requested_service_ids() == [cast.cleaning.pk, cast.printer.pk]


# --- departments and search ----------------------------------------------------------------


def test_services_are_grouped_by_the_department_that_provides_them(cast):
    catalog = home_catalog(policy.viewer_for(cast.rita), "")

    assert [(group.department.name, _names(group.services)) for group in catalog.departments] == [
        ("Facilities", ["Cleaning"]),
        # The confidential mediation is listed: anyone may ask for it.
        ("HR", ["Workplace conflict mediation"]),
        ("IT", ["Printer configuration", "Software access"]),
    ]
    assert catalog.service_count == 4


def test_a_search_lists_only_what_matches(cast):
    _ask(cast, cast.printer, actor=cast.rita)

    catalog = home_catalog(policy.viewer_for(cast.rita), "software")

    assert catalog.recent == catalog.most_requested == []
    assert [_names(group.services) for group in catalog.departments] == [["Software access"]]


# --- the page ------------------------------------------------------------------------------


def test_the_home_page_shows_recent_then_most_requested_then_departments(cast):
    _ask(cast, cast.cleaning, 3)
    _ask(cast, cast.printer, actor=cast.rita)

    html = client_for(cast.rita).get("/").content.decode()

    recent = html.index('id="recent-heading"')
    popular = html.index('id="popular-heading"')
    departments = html.index("All services, by department")
    assert recent < html.index(">Printer configuration</a>") < popular
    assert popular < html.index(">Cleaning</a>") < departments
    assert (
        html.index('id="dept-facilities"') < html.index('id="dept-hr"') < html.index('id="dept-it"')
    )
    assert (
        "First response within <strong>4 hours</strong> · resolved within <strong>1 day</strong>"
        in html
    )


def test_a_newcomer_sees_no_empty_shortcut_sections(cast):
    html = client_for(cast.otto).get("/").content.decode()

    assert "Your recent services" not in html
    assert "Most requested" not in html
    assert "All services, by department" in html


def test_the_home_page_takes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    _ask(cast, cast.printer, actor=cast.rita)
    client = client_for(cast.rita)
    client.get("/")  # the process's catalog snapshot and the ranking, once

    def count_queries() -> int:
        with django_assert_max_num_queries(50) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    few = count_queries()
    for number in range(20):
        service = make_service(cast.facilities, f"Room setup {number}")
        _ask(cast, service, actor=cast.rita)
        _ask(cast, service)
    client.get("/")
    # Session, user, person, the viewer's teams, the catalog (services, form fields, the
    # snapshot's version), the viewer's recent services, my open requests and their
    # clocks, the bell. The ranking comes from the process's cache.
    many = count_queries()
    assert many == few == 11


def test_favicon_is_an_svg_from_static_files(cast, client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302
    assert icon["Location"] == "/static/inhouse/favicon.svg"
    assert "max-age=86400" in icon["Cache-Control"]

    html = client_for(cast.rita).get("/").content.decode()
    assert '<link rel="icon" href="/static/inhouse/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/inhouse/favicon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)
