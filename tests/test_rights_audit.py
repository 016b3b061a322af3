"""SPEC §8: a right or a grant changes only through the audited actions, never through the
generic admin screens."""

import pytest

from cms_extranet.models import ProfileGrant, UserRight


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
