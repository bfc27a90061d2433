"""Password guessing is throttled per name and per address, for real and unknown names alike."""

import pytest
from django.test import Client

from inhouse.org.models import SignInAttempt
from inhouse.org.signin import PER_USERNAME

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.parametrize("username", ["rita", "nobody-by-this-name"])
def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one(cast, password, username):
    client = Client()
    for _ in range(PER_USERNAME):
        response = sign_in(client, username, "wrong")
        assert response.status_code == 200
        assert "Too many" not in response.content.decode()
    blocked = sign_in(client, username, password if username == "rita" else "x")
    assert "Too many sign-in attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_the_count_and_rotates_the_session(cast, password):
    client = Client()
    sign_in(client, "rita", "wrong")
    client.get("/login/")
    before = client.session.session_key
    response = sign_in(client, "rita", password)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert not SignInAttempt.objects.filter(username_key="rita").exists()


def test_unknown_and_known_names_get_the_same_message(cast):
    known = sign_in(Client(), "rita", "wrong").content.decode()
    unknown = sign_in(Client(), "ghost", "wrong").content.decode()
    assert "Please enter a correct username and password" in known
    assert "Please enter a correct username and password" in unknown
