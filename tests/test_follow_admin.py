"""The agency's side of following: the editor's change note, who follows what, digests."""

import datetime

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms_extranet.follow import digests
from cms_extranet.follow.models import Digest, Follow, PageChange

pytestmark = pytest.mark.django_db

NEWS = "/extranet/mlp/nieuws/"


def publish(client, page, **extra):
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": page.intro,
            "body": streamfield([]),
            "comments": inline_formset([]),
            "restriction": page.restriction,
            "action-publish": "1",
        }
    )
    return client.post(f"/admin/pages/{page.pk}/edit/", {**data, **extra})


def test_the_editor_marks_a_publish_minor_or_writes_a_note_for_followers(login):
    editor = login("redacteur")
    page = Page.objects.get(url_path=NEWS).specific
    html = editor.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Kleine wijziging: volgers krijgen er geen mail over" in html
    assert "Wijzigingsnota voor volgers" in html

    publish(editor, page, extranet_change_note="  Nieuwe termijnen voor 2030.  ")
    change = PageChange.objects.filter(page=page).latest("published_at")
    assert (change.minor, change.note) == (False, "Nieuwe termijnen voor 2030.")
    assert change.revision == Page.objects.get(pk=page.pk).live_revision

    publish(editor, page, extranet_change_minor="1", extranet_change_note="x" * 400)
    change = PageChange.objects.filter(page=page).latest("published_at")
    assert change.minor and len(change.note) == 300


def test_saving_a_draft_records_no_change(login):
    editor = login("redacteur")
    page = Page.objects.get(url_path=NEWS).specific
    before = PageChange.objects.count()
    response = editor.post(
        f"/admin/pages/{page.pk}/edit/",
        nested_form_data(
            {
                "title": page.title + " (concept)",
                "slug": page.slug,
                "intro": page.intro,
                "body": streamfield([]),
                "comments": inline_formset([]),
                "restriction": page.restriction,
            }
        ),
    )
    assert response.status_code == 302
    assert PageChange.objects.count() == before


def test_editors_see_who_follows_what_but_cannot_change_it(login):
    editor = login("redacteur")
    html = editor.get("/admin/snippets/extranet_follow/follow/").content.decode()
    assert "multi.partner" in html and "Nieuws Mijn Loopbaan voor Partners" in html
    follow = Follow.objects.first()
    assert editor.get(f"/admin/snippets/extranet_follow/follow/edit/{follow.pk}/").status_code in (302, 403)
    assert editor.post(f"/admin/snippets/extranet_follow/follow/delete/{follow.pk}/").status_code in (302, 403)
    assert Follow.objects.filter(pk=follow.pk).exists()
    assert editor.get("/admin/snippets/extranet_follow/follow/add/").status_code in (302, 403)


def test_editors_list_sent_and_skipped_digests_with_the_reason(login, django_user_model):
    monday = datetime.datetime(2030, 1, 7, 8, tzinfo=datetime.UTC)
    PageChange.objects.all().delete()
    digests.run("daily", monday)  # multi.partner's pages did not change: skipped
    digest = Digest.objects.get(user__username="multi.partner")
    editor = login("redacteur")
    html = editor.get("/admin/extranet_follow/digest/").content.decode()
    assert "Niet verstuurd" in html and "Geen wijzigingen aan gevolgde pagina&#x27;s" in html
    html = editor.get("/admin/extranet_follow/digest/?status=skipped").content.decode()
    assert "multi.partner" in html
    assert "multi.partner" in editor.get("/admin/extranet_follow/digest/?q=multi").content.decode()
    assert "multi.partner" in editor.get("/admin/snippets/extranet_follow/follow/?q=multi").content.decode()
    assert "Voorbeeld van een volgende digest" in html
    assert editor.get(f"/admin/extranet_follow/digest/inspect/{digest.pk}/").status_code == 200
    assert editor.get(f"/admin/extranet_follow/digest/edit/{digest.pk}/").status_code in (302, 403)
    editor.post(f"/admin/extranet_follow/digest/delete/{digest.pk}/")
    assert Digest.objects.filter(pk=digest.pk).exists()


def test_the_preview_shows_a_users_next_digest_without_sending_it(login, django_user_model):
    from django.core import mail

    PageChange.objects.all().delete()
    page = Page.objects.get(url_path=NEWS).specific
    page.save_revision().publish()
    PageChange.objects.filter(page=page).update(note="Nieuwe termijnen")
    user = django_user_model.objects.get(username="multi.partner")
    editor = login("redacteur")
    html = editor.get(
        "/admin/extranet-digests/voorbeeld/", {"user": user.pk, "frequency": "daily"}
    ).content.decode()
    assert "Extranet: wijzigingen aan je gevolgde pagina&#x27;s (1)" in html
    assert "Nieuwe termijnen" in html
    assert mail.outbox == [] and not Digest.objects.exists()


def test_partners_and_access_officers_cannot_open_the_digest_preview(login):
    for username in ("mlp.partner", "toegang.vdab"):
        response = login(username).get("/admin/extranet-digests/voorbeeld/")
        assert response.status_code in (302, 403)


def test_the_digest_schedules_are_visible_in_the_admin(admin_client):
    html = admin_client.get("/admin/django_q/schedule/").content.decode()
    for name in ("Digests dagelijks", "Digests wekelijks", "Digests versturen", "0 7 * * 1"):
        assert name in html


def test_editors_inspect_who_follows_a_page(login):
    follow = Follow.objects.select_related("user", "page").first()
    response = login("redacteur").get(f"/admin/snippets/extranet_follow/follow/inspect/{follow.pk}/")
    assert response.status_code == 200
    assert follow.page.title in response.content.decode()
