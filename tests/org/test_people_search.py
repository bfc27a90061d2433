"""Finding a person by what one types: the API search, the suggestions fragment, and the
form field that resolves a typed person."""

import pytest
from django import forms
from django.test import Client
from tests.conftest import client_for
from tests.factories import make_person

from inhouse.org.api import PEOPLE_LIMIT_MAX
from inhouse.org.forms import PersonChoiceField
from inhouse.org.models import ApiToken, Person

pytestmark = pytest.mark.django_db


def bearer(person: Person) -> Client:
    raw = f"ih_test_token_for_{person.pk}_0123456789abcdef"
    ApiToken.objects.create(person=person, prefix=raw[:10], digest=ApiToken.digest_of(raw))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- GET /api/v1/people ----------------------------------------------------------------------


def test_people_api_matches_name_username_and_email_with_teams(cast):
    make_person("nora", full_name="Nora Payne", email="n.payne@example.com", team=cast.finance)
    client = bearer(cast.rita)

    by_name = client.get("/api/v1/people", {"q": "payne"}).json()
    by_username = client.get("/api/v1/people", {"q": "nora"}).json()
    by_email = client.get("/api/v1/people", {"q": "n.payne@"}).json()

    nora = Person.objects.get(full_name="Nora Payne")
    expected = {"id": nora.pk, "username": "nora", "full_name": "Nora Payne", "teams": ["Finance"]}
    assert by_name == by_username == by_email == {"items": [expected]}


def test_people_api_needs_every_word_and_lists_by_name(cast):
    client = bearer(cast.rita)

    found = client.get("/api/v1/people", {"q": "na TESTER"}).json()["items"]

    assert [person["full_name"] for person in found] == ["Hana Tester", "Lena Tester"]


def test_people_api_shows_only_what_any_colleague_may_see(cast):
    found = bearer(cast.rita).get("/api/v1/people", {"q": "lena"}).json()["items"]

    assert set(found[0]) == {"id", "username", "full_name", "teams"}


def test_people_api_leaves_out_inactive_people(cast):
    Person.objects.filter(pk=cast.lena.pk).update(is_active=False)

    response = bearer(cast.rita).get("/api/v1/people", {"q": "lena"})

    assert response.status_code == 200
    assert response.json() == {"items": []}


def test_people_api_returns_at_most_limit_people(cast):
    client = bearer(cast.rita)

    default = client.get("/api/v1/people", {"q": "tester"}).json()["items"]
    two = client.get("/api/v1/people", {"q": "tester", "limit": 2}).json()["items"]
    most = client.get("/api/v1/people", {"q": "tester", "limit": PEOPLE_LIMIT_MAX})

    assert len(default) == 9
    assert [person["full_name"] for person in two] == ["Ada Tester", "Alex Tester"]
    assert most.status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "lena", "limit": PEOPLE_LIMIT_MAX + 1}, "limit"),
        ({"q": "lena", "limit": 0}, "limit"),
        ({"q": "lena", "limit": "ten"}, "limit"),
        ({}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "lena", "team": "finance"}, "team"),
    ],
)
def test_people_api_refuses_bad_parameters_with_400(cast, params, field):
    response = bearer(cast.rita).get("/api/v1/people", params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_people_api_needs_authentication(cast):
    response = Client().get("/api/v1/people", {"q": "lena"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_people_api_takes_a_browser_session_too(cast):
    response = client_for(cast.rita).get("/api/v1/people", {"q": "otto"})

    assert [person["username"] for person in response.json()["items"]] == ["otto"]


# --- /org/people/search/: suggestions for a person field --------------------------------------


def test_suggestions_are_options_carrying_the_email_address(cast):
    response = client_for(cast.rita).get(
        "/org/people/search/", {"field": "assignee", "assignee": "lena"}
    )

    assert response.status_code == 200
    assert response.content.decode().strip() == (
        '<option value="lena@example.com">Lena Tester · IT Service Desk</option>'
    )


def test_suggestions_take_q_and_skip_one_letter_and_inactive_people(cast):
    Person.objects.filter(pk=cast.ivy.pk).update(is_active=False)
    client = client_for(cast.rita)

    one_letter = client.get("/org/people/search/", {"q": "l"}).content.decode()
    ivy = client.get("/org/people/search/", {"q": "ivy"}).content.decode()
    many = client.get("/org/people/search/", {"q": "tester"}).content.decode()

    assert "<option" not in one_letter
    assert "<option" not in ivy
    assert many.count("<option") == 8


def test_suggestions_refuse_a_field_name_that_is_no_name(cast):
    response = client_for(cast.rita).get("/org/people/search/", {"field": "a b", "q": "lena"})

    assert response.status_code == 400


def test_suggestions_need_a_login(client, cast):
    response = client.get("/org/people/search/", {"q": "lena"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- PersonChoiceField ----------------------------------------------------------------------


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label="Assignee")
    backup = PersonChoiceField(label="Backup", required=False)


def _clean(data: dict) -> AssignForm:
    form = AssignForm(data)
    form.is_valid()
    return form


@pytest.mark.parametrize("handle", ["lena", "lena@example.com", "LENA@example.com", "Lena Tester"])
def test_person_field_resolves_a_username_email_or_unique_name(cast, handle):
    form = _clean({"assignee": f"  {handle} "})

    assert form.errors == {}
    assert form.cleaned_data == {"assignee": cast.lena, "backup": None}


def test_person_field_resolves_an_id(cast):
    assert _clean({"assignee": str(cast.otto.pk)}).cleaned_data["assignee"] == cast.otto


def test_person_field_refuses_inactive_and_unknown_people(cast):
    Person.objects.filter(pk=cast.ivy.pk).update(is_active=False)

    for handle in ["ivy", "nobody", "9" * 30, "x" * 300]:
        form = _clean({"assignee": handle})
        assert "Nobody active answers to" in form.errors["assignee"][0], handle


def test_person_field_asks_which_of_two_namesakes(cast):
    make_person("lena2", full_name="Lena Tester", team=cast.finance)

    form = _clean({"assignee": "Lena Tester"})

    assert form.errors["assignee"] == [
        "Several people are called “Lena Tester”; type the username or email address "
        "of the one you mean."
    ]


def test_person_field_is_required_unless_said_otherwise(cast):
    assert _clean({"assignee": ""}).errors == {"assignee": ["This field is required."]}


def test_person_field_renders_a_search_box_with_its_suggestion_list(cast):
    html = str(AssignForm(initial={"assignee": cast.lena})["assignee"])

    assert 'value="lena@example.com"' in html
    assert 'list="id_assignee-choices"' in html
    assert 'hx-get="/org/people/search/"' in html
    assert 'hx-target="#id_assignee-choices"' in html
    assert "hx-vals='{&quot;field&quot;: &quot;assignee&quot;}'" in html or (
        'hx-vals="{&quot;field&quot;: &quot;assignee&quot;}"' in html
    )
    assert html.endswith('<datalist id="id_assignee-choices"></datalist>')
