"""API tokens, creating admins, and the org selectors."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from tests.factories import make_person, make_team

from inhouse.core.errors import InvalidInput, NotFound
from inhouse.org.auth import person_for_bearer_token
from inhouse.org.models import ApiToken, MembershipRole, Person
from inhouse.org.selectors import (
    get_person,
    get_team,
    members_of,
    memberships_of,
    person_for_user,
    search_people,
    team_tree,
)
from inhouse.org.services import create_admin, create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-unusual-passphrase"


# --- API tokens ---------------------------------------------------------------------------


def test_a_token_is_ih_and_40_random_characters_and_only_its_digest_is_stored(cast):
    raw = create_api_token(person=cast.rita, name="laptop")

    assert re.fullmatch(r"ih_[A-Za-z0-9_-]{40}", raw)
    token = ApiToken.objects.get(person=cast.rita)
    assert (token.name, token.prefix, token.digest) == ("laptop", raw[:10], ApiToken.digest_of(raw))
    assert raw not in {token.prefix, token.digest, token.name}


def test_a_token_authenticates_its_person_until_it_is_revoked(cast):
    raw = create_api_token(person=cast.rita)
    token = ApiToken.objects.get(person=cast.rita)

    assert person_for_bearer_token(raw) == cast.rita
    revoke_api_token(person=cast.rita, token_id=token.pk)
    assert person_for_bearer_token(raw) is None
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_can_revoke_someone_elses_token(cast):
    raw = create_api_token(person=cast.rita)
    token = ApiToken.objects.get(person=cast.rita)

    with pytest.raises(NotFound):
        revoke_api_token(person=cast.carl, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert person_for_bearer_token(raw) == cast.rita


def test_revoking_twice_is_not_found(cast):
    create_api_token(person=cast.rita)
    token = ApiToken.objects.get(person=cast.rita)
    revoke_api_token(person=cast.rita, token_id=token.pk)

    with pytest.raises(NotFound):
        revoke_api_token(person=cast.rita, token_id=token.pk)


def test_tokens_stop_working_when_the_person_or_their_login_is_deactivated(cast):
    carls = create_api_token(person=cast.carl)
    ritas = create_api_token(person=cast.rita)

    Person.objects.filter(pk=cast.carl.pk).update(is_active=False)
    get_user_model().objects.filter(pk=cast.rita.user_id).update(is_active=False)

    assert person_for_bearer_token(carls) is None
    assert person_for_bearer_token(ritas) is None


def test_inactive_people_get_no_token(cast):
    cast.carl.is_active = False

    with pytest.raises(InvalidInput):
        create_api_token(person=cast.carl)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("raw", ["", "ih_unknown", "x" * 10_000])
def test_unknown_and_absurd_tokens_authenticate_nobody(cast, raw):
    create_api_token(person=cast.rita)

    assert person_for_bearer_token(raw) is None


def test_last_use_is_written_at_most_once_a_minute(cast):
    raw = create_api_token(person=cast.rita)
    token = ApiToken.objects.get(person=cast.rita)

    person_for_bearer_token(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None

    recently = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)
    person_for_bearer_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == recently

    long_ago = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    person_for_bearer_token(raw)
    token.refresh_from_db()
    assert token.last_used_at > long_ago


# --- admins -------------------------------------------------------------------------------


def test_create_admin_makes_a_superuser_and_an_org_admin(db):
    admin = create_admin(
        username="boss", email="boss@example.com", full_name=" Bo Boss ", password=STRONG
    )

    assert (admin.full_name, admin.email, admin.is_org_admin) == (
        "Bo Boss",
        "boss@example.com",
        True,
    )
    assert admin.user.username == "boss"
    assert admin.user.is_superuser and admin.user.is_staff
    assert admin.user.check_password(STRONG)


def test_create_admin_names_every_bad_field_with_the_validators_messages(db):
    with pytest.raises(InvalidInput) as caught:
        create_admin(username="bad name!", email="nope", full_name="  ", password="123")

    assert set(caught.value.fields) == {"username", "email", "full_name", "password"}
    assert "too short" in caught.value.fields["password"]
    assert "too common" in caught.value.fields["password"]
    assert not get_user_model().objects.exists()
    assert not Person.objects.exists()


def test_create_admin_refuses_a_taken_username_or_email(cast):
    users, people = get_user_model().objects.count(), Person.objects.count()

    with pytest.raises(InvalidInput) as caught:
        create_admin(username="rita", email="CARL@example.com", full_name="X", password=STRONG)

    assert set(caught.value.fields) == {"username", "email"}
    assert (get_user_model().objects.count(), Person.objects.count()) == (users, people)


# --- selectors ----------------------------------------------------------------------------


def test_person_for_user_is_the_active_person_behind_a_login(cast):
    bare_admin = get_user_model().objects.create_superuser("root", "root@example.com", STRONG)

    assert person_for_user(cast.rita.user) == cast.rita
    assert person_for_user(AnonymousUser()) is None
    assert person_for_user(bare_admin) is None
    Person.objects.filter(pk=cast.carl.pk).update(is_active=False)
    assert person_for_user(get_user_model().objects.get(pk=cast.carl.user_id)) is None


def test_team_tree_nests_teams_under_departments_with_leads_first(cast):
    tree = team_tree()

    assert [node.team.name for node in tree] == ["Facilities", "Finance", "HR", "IT", "Marketing"]
    it = tree[3]
    assert [child.team.name for child in it.children] == ["IT Service Desk"]
    desk = it.children[0]
    assert [(m.person, m.role) for m in desk.members] == [
        (cast.lena, MembershipRole.LEAD),
        (cast.alex, MembershipRole.AGENT),
        (cast.ivy, MembershipRole.AGENT),
    ]
    assert it.people_count == 3
    assert [node.team.name for node in it.walk()] == ["IT", "IT Service Desk"]


def test_team_tree_takes_two_queries_however_big_the_organization(cast, django_assert_num_queries):
    for d in range(5):
        department = make_team(f"Department {d}", f"D{d}")
        for t in range(3):
            team = make_team(f"Team {d}-{t}", f"T{d}X{t}", parent=department)
            make_person(f"p{d}{t}", team=team, login=False)

    with django_assert_num_queries(2):
        tree = team_tree()
    assert sum(1 for root in tree for _ in root.walk()) == 7 + 5 * 4


def test_team_tree_leaves_out_inactive_teams_and_people(cast):
    cast.facilities.is_active = False
    cast.facilities.save()
    Person.objects.filter(pk=cast.carl.pk).update(is_active=False)

    tree = {node.team.name: node for node in team_tree()}

    assert "Facilities" not in tree
    assert [m.person for m in tree["Marketing"].members] == [cast.rita]


def test_get_team_and_get_person(cast):
    cast.finance.is_active = False
    cast.finance.save()

    assert get_team("it-service-desk").parent == cast.it
    with pytest.raises(NotFound):
        get_team("finance")
    with pytest.raises(NotFound):
        get_team("nowhere")
    assert get_person(cast.rita.pk) == cast.rita
    with pytest.raises(NotFound):
        get_person(10**9)


def test_members_of_and_memberships_of(cast):
    assert [m.person for m in members_of(cast.service_desk)] == [cast.lena, cast.alex, cast.ivy]
    assert [m.team for m in memberships_of(cast.hana)] == [cast.people_partners]


def test_search_people_matches_every_word_in_name_email_or_title(cast, django_assert_num_queries):
    Person.objects.filter(pk=cast.alex.pk).update(job_title="Service desk agent")
    Person.objects.filter(pk=cast.ivy.pk).update(is_active=False)

    with django_assert_num_queries(2):
        found = search_people("desk AGENT", limit=10)
    assert found == [cast.alex]
    assert [m.team for m in found[0].memberships.all()] == [cast.service_desk]
    assert search_people("tester", limit=2) == [cast.ada, cast.alex]
    assert search_people("   ", limit=10) == []
