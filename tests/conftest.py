import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

from cms.pages.models import ContentPage, HomePage
from cms_extranet.models import Profile

PASSWORD = "extranet-demo"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the demo extranet, loaded once and rolled back after each test."""
    with django_db_blocker.unblock():
        call_command("load_demo_content", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def remove_test_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def home(db):
    return HomePage.objects.get()


def make_page(parent, slug, restriction="inherit", profiles=(), publish=True):
    page = ContentPage(title=slug.replace("-", " ").capitalize(), slug=slug, restriction=restriction)
    page.restriction_profiles = list(Profile.objects.filter(code__in=profiles))
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def set_restriction(page, restriction, profiles=()):
    """Change a page's restriction the way an editor does: in a new revision, published."""
    page = page.specific
    page.restriction = restriction
    page.restriction_profiles = list(Profile.objects.filter(code__in=profiles))
    page.save_revision().publish()
    return page


@pytest.fixture
def login(client, django_user_model):
    def login(username):
        client.force_login(django_user_model.objects.get(username=username))
        return client

    return login
