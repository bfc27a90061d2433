"""A lead shapes their team's catalog: services, request forms, agreements, calendars."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from tests.factories import make_agreement, make_calendar, make_service

from inhouse.catalog.models import (
    Agreement,
    FieldKind,
    FormField,
    PriorityFrom,
    Service,
    Visibility,
)
from inhouse.catalog.selectors import services_visible_to
from inhouse.catalog.services import (
    AgreementDetails,
    FormFieldDetails,
    ServiceDetails,
    Target,
    add_form_field,
    create_service,
    deactivate_agreement,
    remove_form_field,
    reorder_form_fields,
    save_agreement,
    update_form_field,
    update_service,
)
from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.sla.calendar_services import add_closed_day, remove_closed_day, update_calendar
from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Calendar, ClosedDay

pytestmark = pytest.mark.django_db

OFFICE = {str(day): [["09:00", "17:00"]] for day in range(5)}


def _keys(service: Service) -> list[str]:
    return list(service.form_fields.order_by("position", "id").values_list("key", flat=True))


def _targets(**minutes: tuple[int, int]) -> dict[str, Target]:
    return {priority: Target(*pair) for priority, pair in minutes.items()}


# --- services --------------------------------------------------------------------------


def test_lead_creates_a_service_that_requesters_then_see(cast):
    service = create_service(
        actor=cast.lena,
        team=cast.service_desk,
        details=ServiceDetails(name=" Monitor swap ", slug="monitor-swap", description="Bigger."),
    )

    assert service.provider_team == cast.service_desk
    assert service.name == "Monitor swap"
    assert list(services_visible_to(cast.rita).filter(slug="monitor-swap")) == [service]


def test_restricted_service_keeps_listed_teams_and_kinds(cast):
    service = create_service(
        actor=cast.lena,
        team=cast.service_desk,
        details=ServiceDetails(
            name="Server room access",
            slug="server-room",
            visibility=Visibility.RESTRICTED,
            visible_to_teams=[cast.finance],
            visible_to_kinds=["contractor"],
        ),
    )

    assert list(service.visible_to_teams.all()) == [cast.finance]
    assert service.visible_to_kinds == ["contractor"]
    assert not services_visible_to(cast.rita).filter(pk=service.pk).exists()
    assert services_visible_to(cast.otto).filter(pk=service.pk).exists()


def test_opening_a_restricted_service_to_everyone_clears_its_lists(cast):
    service = make_service(cast.service_desk, "Vault", visibility=Visibility.RESTRICTED)
    service.visible_to_teams.set([cast.finance])

    update_service(
        actor=cast.lena,
        service=service,
        details=ServiceDetails(name="Vault", slug=service.slug, visible_to_teams=[cast.finance]),
    )

    service.refresh_from_db()
    assert service.visibility == Visibility.EVERYONE
    assert list(service.visible_to_teams.all()) == []


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        (ServiceDetails(name="  ", slug="blank-name"), "name", "Give the service a name."),
        (
            ServiceDetails(name="Bad slug", slug="Bad Slug"),
            "slug",
            "Use lowercase letters, digits and single dashes, at most 100 characters.",
        ),
        (
            ServiceDetails(name="Taken", slug="printer"),
            "slug",
            "Another service already uses the address 'printer'.",
        ),
        (
            ServiceDetails(name="Odd", slug="odd", process_category="core"),
            "process_category",
            "Choose a process category.",
        ),
        (
            ServiceDetails(name="Odd", slug="odd", default_priority="asap"),
            "default_priority",
            "Choose a priority.",
        ),
        (
            ServiceDetails(name="Odd", slug="odd", visibility=Visibility.RESTRICTED),
            "visible_to_teams",
            "List at least one team or person kind who may request it.",
        ),
        (
            ServiceDetails(
                name="Odd", slug="odd", visibility=Visibility.RESTRICTED, visible_to_kinds=["ghost"]
            ),
            "visible_to_kinds",
            "Unknown person kinds: ghost",
        ),
        (
            ServiceDetails(name="Odd", slug="odd", priority_from="gut_feeling"),
            "priority_from",
            "Choose where the priority of new requests comes from.",
        ),
        (
            ServiceDetails(name="Odd", slug="odd", standard_fields=["requester", "shoe_size"]),
            "standard_fields",
            "Unknown standard fields: shoe_size",
        ),
    ],
)
def test_service_validation_names_the_field(cast, details, field, message):
    with pytest.raises(InvalidInput) as caught:
        create_service(actor=cast.lena, team=cast.service_desk, details=details)

    assert caught.value.fields == {field: message}
    assert Service.objects.count() == 4


def test_keeping_its_own_slug_is_not_a_clash(cast):
    update_service(
        actor=cast.lena,
        service=cast.printer,
        details=ServiceDetails(name="Printers", slug="printer"),
    )

    cast.printer.refresh_from_db()
    assert cast.printer.name == "Printers"


@pytest.mark.parametrize("who", ["alex", "rita", "fred", "otto"])
def test_only_the_teams_lead_changes_its_services(cast, who):
    actor = getattr(cast, who)
    details = ServiceDetails(name="Hijacked", slug="hijacked")

    with pytest.raises(PermissionDenied):
        create_service(actor=actor, team=cast.service_desk, details=details)
    with pytest.raises(PermissionDenied):
        update_service(actor=actor, service=cast.printer, details=details)

    assert not Service.objects.filter(slug="hijacked").exists()
    cast.printer.refresh_from_db()
    assert cast.printer.name == "Printer configuration"


def test_a_lead_of_another_team_cannot_even_see_a_restricted_service(cast):
    hidden = make_service(cast.facilities, "Keys", visibility=Visibility.RESTRICTED)
    hidden.visible_to_teams.set([cast.finance])

    with pytest.raises(NotFound):
        update_service(
            actor=cast.lena, service=hidden, details=ServiceDetails(name="Mine", slug="mine")
        )
    with pytest.raises(NotFound):
        add_form_field(
            actor=cast.lena, service=hidden, key="room", details=FormFieldDetails(label="Room")
        )

    hidden.refresh_from_db()
    assert (hidden.name, hidden.form_fields.count()) == ("Keys", 0)


def test_org_admin_manages_any_team(cast):
    create_service(
        actor=cast.ada, team=cast.facilities, details=ServiceDetails(name="Desk", slug="desk")
    )

    assert Service.objects.get(slug="desk").provider_team == cast.facilities


# --- request forms ---------------------------------------------------------------------


def test_added_fields_go_to_the_end_of_the_form(cast):
    form_field = add_form_field(
        actor=cast.lena,
        service=cast.software_access,
        key="cost_center",
        details=FormFieldDetails(
            label="Cost center", kind=FieldKind.CHOICE, choices=[" 4711 ", "", "4712"]
        ),
    )

    assert form_field.choices == ["4711", "4712"]
    assert _keys(cast.software_access) == [
        "application",
        "justification",
        "needed_by",
        "seats",
        "cost_center",
    ]


def test_first_field_of_an_empty_form_sits_at_position_zero(cast):
    form_field = add_form_field(
        actor=cast.lena, service=cast.printer, key="room", details=FormFieldDetails(label="Room")
    )

    assert form_field.position == 0


@pytest.mark.parametrize(
    ("key", "details", "errors"),
    [
        ("seats", FormFieldDetails(label="Seats again"), {"key": "already"}),
        ("Cost Center", FormFieldDetails(label="Cost"), {"key": "Start with a lowercase"}),
        (
            "colour",
            FormFieldDetails(label="Colour", kind=FieldKind.CHOICE),
            {"choices": "A choice"},
        ),
        (
            "colour",
            FormFieldDetails(label="Colour", kind=FieldKind.MULTI_CHOICE, choices=["Red", "Red"]),
            {"choices": "Each choice may appear only once."},
        ),
        (
            "colour",
            FormFieldDetails(label="Colour", kind=FieldKind.TEXT, choices=["Red"]),
            {"choices": "Only choice fields"},
        ),
        ("colour", FormFieldDetails(label="", kind="colour"), {"label": "Give", "kind": "Choose"}),
        (
            "budget",
            FormFieldDetails(label="Budget", kind=FieldKind.NUMBER, min_value=10, max_value=5),
            {"max_value": "The largest number allowed cannot be below the smallest."},
        ),
        (
            "budget",
            FormFieldDetails(label="Budget", kind=FieldKind.TEXT, min_value=0),
            {"min_value": "Only number fields have limits"},
        ),
        (
            "budget",
            FormFieldDetails(label="Budget", kind=FieldKind.NUMBER, max_value=float("inf")),
            {"max_value": "Enter a finite number."},
        ),
    ],
)
def test_form_field_validation_names_each_field(cast, key, details, errors):
    with pytest.raises(InvalidInput) as caught:
        add_form_field(actor=cast.lena, service=cast.software_access, key=key, details=details)

    assert set(caught.value.fields) == set(errors)
    for name, start in errors.items():
        assert start in caught.value.fields[name]
    assert len(_keys(cast.software_access)) == 4


def test_editing_a_field_keeps_its_key_and_place(cast):
    seats = cast.software_access.form_fields.get(key="seats")

    update_form_field(
        actor=cast.lena,
        form_field=seats,
        details=FormFieldDetails(label="Licences", kind=FieldKind.NUMBER, required=True),
    )

    seats.refresh_from_db()
    assert (seats.key, seats.label, seats.required, seats.position) == (
        "seats",
        "Licences",
        True,
        3,
    )


def test_a_new_service_asks_for_whom_and_which_team_but_not_priority_or_a_reference(cast):
    service = create_service(
        actor=cast.lena,
        team=cast.service_desk,
        details=ServiceDetails(name="Monitor swap", slug="monitor-swap"),
    )

    service.refresh_from_db()
    assert service.priority_from == PriorityFrom.DEFAULT
    assert service.offered_fields == ["customer_team", "requester"]


def test_lead_chooses_the_standard_fields_and_the_priority_rule(cast):
    update_service(
        actor=cast.lena,
        service=cast.printer,
        details=ServiceDetails(
            name="Printer configuration",
            slug="printer",
            priority_from=PriorityFrom.IMPACT_URGENCY,
            standard_fields=["external_ref", "customer_team", "external_ref"],
        ),
    )

    printer = Service.objects.get(pk=cast.printer.pk)
    assert printer.standard_fields == ["customer_team", "external_ref"]
    assert printer.offered_fields == ["impact", "urgency", "customer_team", "external_ref"]
    # Every process reads the catalog from its snapshot: the change reaches it.
    assert catalog_snapshot().services_by_slug["printer"].offered_fields == printer.offered_fields


def test_number_limits_are_kept_and_cleared(cast):
    seats = cast.software_access.form_fields.get(key="seats")

    update_form_field(
        actor=cast.lena,
        form_field=seats,
        details=FormFieldDetails(label="Seats", kind=FieldKind.NUMBER, min_value=1, max_value=50),
    )
    assert FormField.objects.values_list("min_value", "max_value").get(pk=seats.pk) == (1, 50)

    update_form_field(
        actor=cast.lena, form_field=seats, details=FormFieldDetails(label="Seats", kind="number")
    )
    assert FormField.objects.values_list("min_value", "max_value").get(pk=seats.pk) == (None, None)


def test_the_database_refuses_a_minimum_above_the_maximum(cast):
    seats = cast.software_access.form_fields.get(key="seats")
    with pytest.raises(IntegrityError), transaction.atomic():
        FormField.objects.filter(pk=seats.pk).update(min_value=5, max_value=1)


def test_removing_a_field_drops_it_from_the_services_obligations(cast):
    agreement = make_agreement(
        cast.service_desk,
        cast.calendar,
        service=cast.software_access,
        customer_obligations=["seats", "justification"],
    )

    remove_form_field(actor=cast.lena, form_field=cast.software_access.form_fields.get(key="seats"))

    agreement.refresh_from_db()
    assert agreement.customer_obligations == ["justification"]
    assert _keys(cast.software_access) == ["application", "justification", "needed_by"]


def test_reorder_puts_fields_in_the_given_order(cast):
    reorder_form_fields(
        actor=cast.lena,
        service=cast.software_access,
        keys_in_order=["seats", "application", "needed_by", "justification"],
    )

    assert _keys(cast.software_access) == ["seats", "application", "needed_by", "justification"]


@pytest.mark.parametrize(
    "keys",
    [
        ["seats", "application", "needed_by"],
        ["seats", "application", "needed_by", "justification", "ghost"],
        ["seats", "seats", "application", "needed_by", "justification"],
    ],
)
def test_reorder_must_name_every_field_once(cast, keys):
    with pytest.raises(InvalidInput) as caught:
        reorder_form_fields(actor=cast.lena, service=cast.software_access, keys_in_order=keys)

    assert caught.value.fields == {"keys_in_order": "Name every field of the form exactly once."}
    assert _keys(cast.software_access) == ["application", "justification", "needed_by", "seats"]


@pytest.mark.parametrize("who", ["alex", "rita", "hana"])
def test_only_leads_change_a_form(cast, who):
    actor = getattr(cast, who)
    seats = cast.software_access.form_fields.get(key="seats")

    with pytest.raises(PermissionDenied):
        add_form_field(
            actor=actor, service=cast.software_access, key="x", details=FormFieldDetails(label="X")
        )
    with pytest.raises(PermissionDenied):
        update_form_field(actor=actor, form_field=seats, details=FormFieldDetails(label="X"))
    with pytest.raises(PermissionDenied):
        remove_form_field(actor=actor, form_field=seats)
    with pytest.raises(PermissionDenied):
        reorder_form_fields(
            actor=actor,
            service=cast.software_access,
            keys_in_order=["seats", "needed_by", "justification", "application"],
        )

    assert _keys(cast.software_access) == ["application", "justification", "needed_by", "seats"]
    assert FormField.objects.get(pk=seats.pk).label == "Seats"


# --- agreements ------------------------------------------------------------------------


def test_save_agreement_creates_it_with_a_target_per_priority(cast):
    agreement = save_agreement(
        actor=cast.lena,
        team=cast.service_desk,
        details=AgreementDetails(
            name="Software for Marketing",
            calendar=cast.calendar,
            service=cast.software_access,
            customer_team=cast.marketing,
            targets=_targets(normal=(60, 480), urgent=(15, 120)),
            customer_obligations=["justification"],
        ),
    )

    targets = agreement.targets.order_by("first_response_minutes")
    assert [(t.priority, t.first_response_minutes, t.resolution_minutes) for t in targets] == [
        ("urgent", 15, 120),
        ("normal", 60, 480),
    ]
    assert agreement.customer_obligations == ["justification"]


def test_saving_again_replaces_the_targets(cast):
    agreement = Agreement.objects.get(provider_team=cast.service_desk)

    save_agreement(
        actor=cast.lena,
        team=cast.service_desk,
        agreement=agreement,
        details=AgreementDetails(
            name="Desk for everyone", calendar=cast.calendar, targets=_targets(high=(30, 240))
        ),
    )

    agreement.refresh_from_db()
    assert agreement.name == "Desk for everyone"
    assert list(agreement.targets.values_list("priority", "first_response_minutes")) == [
        ("high", 30)
    ]


@pytest.mark.parametrize(
    ("targets", "errors"),
    [
        ({}, {"targets": "Set targets for at least one priority."}),
        (
            _targets(normal=(0, 60)),
            {"first_response_normal": "Enter a positive whole number of minutes."},
        ),
        (
            _targets(high=(60, -5)),
            {"resolution_high": "Enter a positive whole number of minutes."},
        ),
        (
            _targets(low=(500, 480)),
            {"first_response_low": "The first response cannot be due after the resolution."},
        ),
        ({"whenever": Target(1, 2)}, {"targets": "Unknown priorities: whenever"}),
    ],
)
def test_targets_are_positive_with_first_response_before_resolution(cast, targets, errors):
    with pytest.raises(InvalidInput) as caught:
        save_agreement(
            actor=cast.lena,
            team=cast.service_desk,
            details=AgreementDetails(
                name="Bad", calendar=cast.calendar, customer_team=cast.marketing, targets=targets
            ),
        )

    assert caught.value.fields == errors
    assert Agreement.objects.filter(provider_team=cast.service_desk).count() == 1


def test_obligations_must_be_keys_of_the_services_form(cast):
    with pytest.raises(InvalidInput) as caught:
        save_agreement(
            actor=cast.lena,
            team=cast.service_desk,
            details=AgreementDetails(
                name="Software",
                calendar=cast.calendar,
                service=cast.software_access,
                targets=_targets(normal=(60, 480)),
                customer_obligations=["seats", "budget"],
            ),
        )

    assert caught.value.fields == {
        "customer_obligations": "Not fields of this service's form: budget"
    }


def test_agreement_service_must_belong_to_the_team(cast):
    with pytest.raises(InvalidInput) as caught:
        save_agreement(
            actor=cast.lena,
            team=cast.service_desk,
            details=AgreementDetails(
                name="Cleaning", calendar=cast.calendar, service=cast.cleaning,
                targets=_targets(normal=(60, 480)),
            ),
        )  # fmt: skip

    assert caught.value.fields == {"service": "Choose one of IT Service Desk's services."}


@pytest.mark.parametrize("who", ["alex", "rita", "fred"])
def test_only_leads_save_or_deactivate_agreements(cast, who):
    actor = getattr(cast, who)
    agreement = Agreement.objects.get(provider_team=cast.service_desk)

    with pytest.raises(PermissionDenied):
        save_agreement(
            actor=actor,
            team=cast.service_desk,
            agreement=agreement,
            details=AgreementDetails(
                name="Slow", calendar=cast.calendar, targets=_targets(normal=(999, 9999))
            ),
        )
    with pytest.raises(PermissionDenied):
        deactivate_agreement(actor=actor, agreement=agreement)

    agreement.refresh_from_db()
    assert (agreement.name, agreement.is_active) == ("IT Service Desk for everyone", True)
    assert agreement.targets.get(priority="normal").first_response_minutes == 240


def test_an_agreement_of_another_team_cannot_be_saved_under_mine(cast):
    theirs = Agreement.objects.get(provider_team=cast.facilities)

    with pytest.raises(NotFound):
        save_agreement(
            actor=cast.lena,
            team=cast.service_desk,
            agreement=theirs,
            details=AgreementDetails(name="Mine", calendar=cast.calendar, targets={}),
        )

    theirs.refresh_from_db()
    assert theirs.provider_team == cast.facilities


def test_deactivated_agreement_stops_applying(cast):
    specific = make_agreement(cast.service_desk, cast.calendar, service=cast.printer)

    deactivate_agreement(actor=cast.lena, agreement=specific)

    specific.refresh_from_db()
    assert specific.is_active is False


# --- calendars -------------------------------------------------------------------------


def test_updating_a_calendar_bumps_updated_at_and_the_business_calendar(cast):
    before = cast.calendar.updated_at
    monday_night = datetime(2030, 1, 7, 22, 0, tzinfo=UTC)
    assert business_calendar_for(cast.calendar).is_working_time(monday_night)

    update_calendar(
        actor=cast.lena, calendar=cast.calendar, weekly_hours=OFFICE, timezone="Europe/Berlin"
    )

    fresh = Calendar.objects.get(pk=cast.calendar.pk)
    assert fresh.updated_at > before
    assert fresh.weekly_hours == OFFICE
    assert not business_calendar_for(fresh).is_working_time(monday_night)
    assert business_calendar_for(fresh).is_working_time(monday_night - timedelta(hours=12))


def test_calendar_holidays_come_from_the_country_and_subdivision(cast):
    update_calendar(
        actor=cast.lena,
        calendar=cast.calendar,
        weekly_hours=OFFICE,
        timezone="Europe/Berlin",
        holiday_country="de",
        holiday_subdivision="by",
    )

    fresh = Calendar.objects.get(pk=cast.calendar.pk)
    assert (fresh.holiday_country, fresh.holiday_subdivision) == ("DE", "BY")
    # Epiphany (6 January) is a public holiday in Bavaria.
    assert not business_calendar_for(fresh).is_working_time(datetime(2031, 1, 6, 10, tzinfo=UTC))


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"weekly_hours": {"0": [["17:00", "09:00"]]}}, {"weekly_hours"}),
        ({"weekly_hours": {"9": [["09:00", "17:00"]]}}, {"weekly_hours"}),
        ({"weekly_hours": {}}, {"weekly_hours"}),
        ({"timezone": "Mars/Olympus"}, {"timezone"}),
        ({"holiday_country": "XX"}, {"holiday_country"}),
        ({"holiday_country": "DE", "holiday_subdivision": "ZZ"}, {"holiday_subdivision"}),
        ({"holiday_subdivision": "BY"}, {"holiday_subdivision"}),
    ],
)
def test_calendar_validation_names_the_field_and_changes_nothing(cast, changes, errors):
    before = Calendar.objects.get(pk=cast.calendar.pk)
    arguments = {"weekly_hours": OFFICE, "timezone": "UTC"} | changes

    with pytest.raises(InvalidInput) as caught:
        update_calendar(actor=cast.lena, calendar=cast.calendar, **arguments)

    assert set(caught.value.fields) == errors
    after = Calendar.objects.get(pk=cast.calendar.pk)
    assert (after.weekly_hours, after.updated_at) == (before.weekly_hours, before.updated_at)


def test_only_leads_whose_agreements_use_a_calendar_may_change_it(cast):
    unused = make_calendar("Night shift")

    attempts = [(cast.alex, cast.calendar), (cast.rita, cast.calendar), (cast.lena, unused)]
    for actor, calendar in attempts:
        with pytest.raises(PermissionDenied):
            update_calendar(actor=actor, calendar=calendar, weekly_hours=OFFICE, timezone="UTC")
        with pytest.raises(PermissionDenied):
            add_closed_day(actor=actor, calendar=calendar, day=date(2030, 5, 2), name="Bridge")

    assert Calendar.objects.get(pk=cast.calendar.pk).weekly_hours != OFFICE
    assert not ClosedDay.objects.exists()
    update_calendar(actor=cast.ada, calendar=unused, weekly_hours=OFFICE, timezone="UTC")


def test_closed_day_closes_the_calendar_until_removed(cast):
    noon = datetime(2030, 5, 2, 12, tzinfo=UTC)
    before = cast.calendar.updated_at

    closed = add_closed_day(
        actor=cast.lena, calendar=cast.calendar, day=date(2030, 5, 2), name=" Offsite "
    )

    assert closed.name == "Offsite"
    after_adding = Calendar.objects.get(pk=cast.calendar.pk)
    assert after_adding.updated_at > before
    assert not business_calendar_for(after_adding).is_working_time(noon)

    added_at = after_adding.updated_at

    remove_closed_day(actor=cast.lena, calendar=after_adding, closed_day_id=closed.pk)

    after_removing = Calendar.objects.get(pk=cast.calendar.pk)
    assert after_removing.updated_at > added_at
    assert business_calendar_for(after_removing).is_working_time(noon)


def test_a_day_is_closed_only_once(cast):
    add_closed_day(actor=cast.lena, calendar=cast.calendar, day=date(2030, 5, 2), name="Offsite")

    with pytest.raises(InvalidInput) as caught:
        add_closed_day(actor=cast.lena, calendar=cast.calendar, day=date(2030, 5, 2), name="Again")

    assert caught.value.fields == {"date": "2030-05-02 is already a closed day."}
    assert ClosedDay.objects.count() == 1


def test_removing_a_closed_day_of_another_calendar_is_not_found(cast):
    other = make_calendar("Other")
    stranger = ClosedDay.objects.create(calendar=other, date=date(2030, 1, 2), name="Theirs")

    with pytest.raises(NotFound):
        remove_closed_day(actor=cast.lena, calendar=cast.calendar, closed_day_id=stranger.pk)

    assert ClosedDay.objects.filter(pk=stranger.pk).exists()


def test_one_agreement_per_scope(cast):
    with pytest.raises(InvalidInput) as caught:
        save_agreement(
            actor=cast.lena,
            team=cast.service_desk,
            details=AgreementDetails(
                name="Second", calendar=cast.calendar, targets=_targets(normal=(60, 480))
            ),
        )

    assert caught.value.fields == {
        "customer_team": "'IT Service Desk for everyone' already covers this service and "
        "customer; edit that one instead."
    }
