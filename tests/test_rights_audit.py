"""SPEC §8: a right or a grant changes only through the audited actions, never through the
generic admin screens."""

import pytest

from cms_extranet.access import user_profiles
from cms_extranet.access_management.models import AuditAction, AuditRecord
from cms_extranet.models import PartnerAccount, ProfileGrant, UserRight


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["toegang.vdab", "admin"])
@pytest.mark.parametrize("model", [UserRight, ProfileGrant])
def test_generic_screens_cannot_change_rights_or_grants(login, username, model):
    client = login(username)
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    obj = model.objects.first()
    before = list(model.objects.order_by("pk").values())
    urls = [base + "create/"]
    if obj:
        urls += [f"{base}edit/{obj.pk}/", f"{base}delete/{obj.pk}/"]
    for url in urls:
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code in (302, 403), url
    assert list(model.objects.order_by("pk").values()) == before
    if obj:
        assert client.get(f"{base}inspect/{obj.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_agencys_edit_of_an_account_is_in_the_audit_trail(login):
    account = PartnerAccount.objects.get(user__username="das.partner")
    assert not account.is_auditor
    client = login("admin")
    data = {"user": account.user_id, "vestiging": account.vestiging_id or "", "is_auditor": "on"}
    if account.mlp_training_followed:
        data["mlp_training_followed"] = "on"
    response = client.post(f"/admin/cms_extranet/partneraccount/edit/{account.pk}/", data)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_auditor
    record = AuditRecord.objects.get(action=AuditAction.ACCOUNT_CHANGED, account=account)
    assert record.actor == client.user and "Auditor: nee → ja" in record.reason
    # das is denied to auditors: the profile is gone, and the trail says why
    assert "das" not in user_profiles(account.user)

    client.post(f"/admin/cms_extranet/partneraccount/edit/{account.pk}/", {**data})
    assert AuditRecord.objects.filter(action=AuditAction.ACCOUNT_CHANGED).count() == 1  # nothing changed
