"""The cap of 2 administrators per vestiging when two appointments race (SPEC §8).

Two processes on the scratch site's own database (a new PostgreSQL database in CI's
PostgreSQL pass, a SQLite file in the other): one appoints an administrator and holds
its transaction open; meanwhile the other asks the real Toegangsbeheer view to appoint
another. Both saw one free place. The second must wait for the first and then be refused.
"""

import json
import time
import uuid

from .processes import kill_group

SETUP = """
from django.contrib.auth import get_user_model
from cms_extranet.models import PartnerAccount
admin = PartnerAccount.objects.get(user__username="uitbetaling.admin")
for name in ("{one}", "{two}"):
    user = get_user_model().objects.create_user(name, name + "@example.be", "x")
    PartnerAccount.objects.create(user=user, vestiging=admin.vestiging)
print(PartnerAccount.objects.get(user__username="{two}").pk)
"""

HOLDER = """
import pathlib, time
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import RequestFactory
from cms_extranet.access_management import actions
from cms_extranet.models import PartnerAccount
request = RequestFactory().post("/")
request.user = get_user_model().objects.get(username="uitbetaling.admin")
with transaction.atomic():
    actions.set_administrator(request, PartnerAccount.objects.get(user__username="{one}"), True)
    print("held", flush=True)
    while not pathlib.Path("{release}").exists():
        time.sleep(0.05)
print("committed", flush=True)
"""

CHALLENGER = """
import pathlib, time
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username="uitbetaling.admin"))
print("ready", flush=True)
while not pathlib.Path("{go}").exists():
    time.sleep(0.05)
print("posting", flush=True)
response = client.post("/toegangsbeheer/gebruikers/{pk}/administrator/", {{"administrator": "1"}}, follow=True)
print(response.status_code, "hoogstens 2 administrators" in response.content.decode(), flush=True)
"""

STATE = """
import json
from cms_extranet.models import PartnerAccount
admin = PartnerAccount.objects.get(user__username="uitbetaling.admin")
print(json.dumps(sorted(PartnerAccount.objects.filter(vestiging=admin.vestiging, is_administrator=True).values_list("user__username", flat=True))))
"""

CLEANUP = """
from django.contrib.auth import get_user_model
get_user_model().objects.filter(username__in=["{one}", "{two}"]).delete()
"""


def wait_for(site, log_name, text, timeout=60):
    deadline = time.monotonic() + timeout
    while text not in site.log(log_name):
        assert time.monotonic() < deadline, site.log(log_name)
        time.sleep(0.05)


def test_two_concurrent_appointments_for_the_last_place_exactly_one_wins(scratch_site, tmp_path):
    site = scratch_site
    tag = uuid.uuid4().hex[:6]
    one, two = f"race.een.{tag}", f"race.twee.{tag}"
    release, go = tmp_path / "release", tmp_path / "go"
    pk = int(site.python(SETUP.format(one=one, two=two)).split()[-1])
    # The challenger logs in first: on SQLite that write would wait for the holder too.
    challenger = site.start("shell", "-c", CHALLENGER.format(pk=pk, go=go), log_name=f"challenger-{tag}")
    holder = None
    try:
        wait_for(site, f"challenger-{tag}", "ready")
        holder = site.start("shell", "-c", HOLDER.format(one=one, release=release), log_name=f"holder-{tag}")
        wait_for(site, f"holder-{tag}", "held")
        go.touch()
        wait_for(site, f"challenger-{tag}", "posting")
        time.sleep(2)
        assert challenger.poll() is None, "the second appointment did not wait for the first"
        release.touch()
        assert holder.wait(timeout=60) == 0, site.log(f"holder-{tag}")
        assert challenger.wait(timeout=60) == 0, site.log(f"challenger-{tag}")
        assert "200 True" in site.log(f"challenger-{tag}"), site.log(f"challenger-{tag}")
        assert json.loads(site.python(STATE).splitlines()[-1]) == sorted(["uitbetaling.admin", one])
    finally:
        release.touch()
        go.touch()
        for process in (holder, challenger):
            if process is not None and process.poll() is None:
                kill_group(process)
        site.python(CLEANUP.format(one=one, two=two))
