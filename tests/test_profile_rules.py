"""Each rule of SPEC §3 on its own: how a user comes to hold a profile."""

import uuid

import pytest
from django.contrib.auth import get_user_model

from cms_extranet.access import load_profiles, partner_account, user_profiles, user_rights
from cms_extranet.models import (
    ApplicationRight,
    Organisation,
    PartnerAccount,
    Profile,
    ProfileGrant,
    UserRight,
    Vestiging,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    organisation = Organisation.objects.create(name="Testorganisatie")
    vestiging = Vestiging.objects.create(organisation=organisation, name="Hasselt")
    user = get_user_model().objects.create_user("test.partner", password="x")
    return PartnerAccount.objects.create(user=user, vestiging=vestiging)


def profiles_of(account):
    """A fresh user object, as every new request loads one."""
    return user_profiles(get_user_model().objects.get(pk=account.user_id))


def give(account, *codes):
    for code in codes:
        UserRight.objects.create(account=account, right=ApplicationRight.objects.get(code=code))


def grant(account, code):
    ProfileGrant.objects.create(account=account, profile=Profile.objects.get(code=code))


def test_anonymous_and_users_without_account_hold_nothing(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert user_profiles(AnonymousUser()) == frozenset()
    assert user_profiles(django_user_model.objects.create_user("nobody")) == frozenset()


def test_mlp_right_with_training_gives_mlp(account):
    account.mlp_training_followed = True
    account.save()
    give(account, "mlp")
    assert profiles_of(account) == {"mlp"}


def test_mlp_right_without_training_gives_nothing(account):
    give(account, "mlp")
    assert profiles_of(account) == set()
    assert "mlp" not in user_rights(get_user_model().objects.get(pk=account.user_id))


def test_das_right_gives_das(account):
    give(account, "das")
    assert profiles_of(account) == {"das"}


def test_auditor_never_holds_das(account):
    account.is_auditor = True
    account.save()
    give(account, "das", "esf")
    assert profiles_of(account) == {"esf"}


def test_esf_right_gives_esf(account):
    give(account, "esf")
    assert profiles_of(account) == {"esf"}


@pytest.mark.parametrize("right", ["loopbaancheques", "loopbaancentrum"])
def test_career_rights_give_loopbaan(account, right):
    give(account, right)
    assert profiles_of(account) == {"loopbaan"}


def test_vertrouwelijk_luik_right_gives_vertrouwelijk(account):
    give(account, "vertrouwelijk")
    assert profiles_of(account) == {"vertrouwelijk"}


def test_rights_without_a_profile_give_a_login_and_nothing_else(account):
    give(account, "vacatures", "mijn-vdab")
    assert profiles_of(account) == set()


def test_uitbetaling_is_never_held_through_a_right(account):
    assert not ApplicationRight.objects.filter(profile__code="uitbetaling").exists()
    give(account, *ApplicationRight.objects.values_list("code", flat=True))
    account.mlp_training_followed = True
    account.save()
    assert "uitbetaling" not in profiles_of(account)


def test_approved_uitbetaling_needs_an_uitbetalingsinstelling_with_access(account):
    grant(account, "uitbetaling")
    assert profiles_of(account) == set()
    account.vestiging.organisation.is_uitbetalingsinstelling = True
    account.vestiging.organisation.save()
    assert profiles_of(account) == set()
    account.vestiging.uitbetaling_access = True
    account.vestiging.save()
    assert profiles_of(account) == {"uitbetaling"}


def test_requested_mlp_holds_only_while_the_organisation_registers_in_mlp(account):
    grant(account, "mlp")
    assert profiles_of(account) == set()
    account.vestiging.organisation.registers_in_mlp = True
    account.vestiging.organisation.save()
    assert profiles_of(account) == {"mlp"}


def test_requested_loopbaan_is_held(account):
    grant(account, "loopbaan")
    assert profiles_of(account) == {"loopbaan"}


def test_grant_of_a_profile_administrators_cannot_request_gives_nothing(account):
    grant(account, "das")
    grant(account, "vertrouwelijk")
    assert profiles_of(account) == set()


def test_profiles_are_computed_once_per_request_in_one_query(account, django_assert_num_queries):
    give(account, "das")
    user = get_user_model().objects.get(pk=account.user_id)
    with django_assert_num_queries(1):
        user_profiles(user)
        user_profiles(user)
        user_profiles(user)


def test_several_rights_and_grants_add_up_each_by_its_own_rule(account):
    give(account, "das", "esf", "mlp")  # mlp without the training
    grant(account, "loopbaan")
    grant(account, "mlp")  # the organisation does not register in MLP
    grant(account, "uitbetaling")  # no uitbetalingsinstelling
    assert profiles_of(account) == {"das", "esf", "loopbaan"}


def test_profiles_of_many_users_come_in_one_query(account, django_assert_num_queries):
    give(account, "das")
    other = PartnerAccount.objects.create(
        user=get_user_model().objects.create_user("andere.partner"), is_auditor=True
    )
    give(other, "das", "esf")
    grant(other, "loopbaan")
    nobody = get_user_model().objects.create_user("zonder.account")
    users = list(get_user_model().objects.filter(pk__in=[account.user_id, other.user_id, nobody.pk]))
    with django_assert_num_queries(1):
        load_profiles(users)
        held = {user.username: user_profiles(user) for user in users}
        accounts = {user.username: partner_account(user) for user in users}
    assert held == {"test.partner": {"das"}, "andere.partner": {"esf", "loopbaan"}, "zonder.account": set()}
    assert accounts == {"test.partner": account, "andere.partner": other, "zonder.account": None}


def test_withdrawn_right_is_gone_on_the_next_request(client, login):
    client = login("das.partner")
    assert client.get("/das/richtlijnen/").status_code == 200
    UserRight.objects.filter(account__user__username="das.partner").delete()
    assert client.get("/das/richtlijnen/").status_code == 403


def test_withdrawn_grant_is_gone_on_the_next_request(client, login):
    client = login("uitbetaling.medewerker")
    assert client.get("/uitbetalingsinstellingen/").status_code == 200
    ProfileGrant.objects.filter(account__user__username="uitbetaling.medewerker").delete()
    assert client.get("/uitbetalingsinstellingen/").status_code == 403


def test_becoming_an_auditor_withdraws_das_on_the_next_request(client, login):
    client = login("das.partner")
    assert client.get("/das/").status_code == 200
    PartnerAccount.objects.filter(user__username="das.partner").update(is_auditor=True)
    assert client.get("/das/").status_code == 403


def test_a_request_reads_the_restriction_version_once_and_sees_its_own_changes(db):
    from cms_extranet.models import RestrictionVersion

    RestrictionVersion.bump()
    with RestrictionVersion.read_once():
        first = RestrictionVersion.current()
        RestrictionVersion.objects.update(version=uuid.uuid4())  # another process's change
        assert RestrictionVersion.current() == first  # one request, one tree
        RestrictionVersion.bump()  # a change made by this request
        assert RestrictionVersion.current() not in (first, None)
    outside = RestrictionVersion.current()
    RestrictionVersion.objects.update(version=uuid.uuid4())
    assert RestrictionVersion.current() != outside
