"""The proof that the plugins drop into any Wagtail site: a fresh `wagtail start` site, set
up by following the README's "Use it in another Wagtail site" to the letter, serves the
extranet over real HTTP.

The steps are read from the README itself (the blocks after "Run:", "Append to `file`:",
"In `file`, replace:" / "with:" and "In `file`, delete:"), so the README and this test
cannot drift apart.
"""

import os
import re
import subprocess
import sys
import time

import pytest
import requests

from .processes import ROOT, free_port, kill_group, wait_for_port

pytestmark = pytest.mark.integration

SECTION = "## Use it in another Wagtail site"
INSTALL_LINE = "pip install wagtail-extranet"
PASSWORD = "host-proof-secret"
SECURED_TITLE = "Kwartaalcijfers zebravink"
SECRET_WORD = "zebravink"  # only in the secured page's title

CONTENT = f"""
from django.contrib.auth import get_user_model
from wagtail.models import Site
from cms_extranet.models import ApplicationRight, ExtranetSettings, PartnerAccount, Profile, UserRight
from home.models import HomePage

home = HomePage.objects.get(depth=2)
extranet = ExtranetSettings.for_site(Site.objects.get(is_default_site=True))
extranet.access_page = home
extranet.save()
page = HomePage(title={SECURED_TITLE!r}, slug="beveiligd", restriction="profiles")
page.restriction_profiles = [Profile.objects.get(code="esf")]
home.add_child(instance=page)
page.save_revision().publish()

User = get_user_model()
reader = User.objects.create_user("lezer", "lezer@example.be", {PASSWORD!r})
account = PartnerAccount.objects.create(user=reader)
UserRight.objects.create(account=account, right=ApplicationRight.objects.get(code="esf"))
User.objects.create_user("buitenstaander", "buiten@example.be", {PASSWORD!r})
print("page", page.url)
"""

# Misconfigurations made on purpose, run after the site's settings (a settings module of the
# test's own reads them from the environment), and what `manage.py check` must say. All of
# them in one process (a check costs a Django start): each must still report its own id;
# tests/test_checks.py makes each one alone.
MISCONFIGURATIONS = {
    'WAGTAILDOCS_SERVE_METHOD = "direct"': {"cms_extranet.E001"},
    'INSTALLED_APPS.remove("wagtail.contrib.settings")': {"cms_extranet.E002"},
    'INSTALLED_APPS.remove("cms_extranet")\n'
    'INSTALLED_APPS.insert(INSTALLED_APPS.index("wagtail.admin") + 1, "cms_extranet")': {"cms_extranet.E003"},
    'STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}': {"cms_extranet.E004"},
    'LOGIN_URL = "/accounts/login/"': {"cms_extranet.W005"},
    'MIDDLEWARE.remove("cms_extranet.middleware.PrivateResponseMiddleware")': {"cms_extranet.E006"},
    'MIDDLEWARE.append("wagtail.contrib.redirects.middleware.RedirectMiddleware")': {"cms_extranet.E007"},
    'EXTRANET_SEARCH_ELASTICSEARCH_URL = "http://127.0.0.1:9"': {"extranet_search.E002"},
}


def readme_blocks():
    """The section's code blocks, each with the line of prose just before it."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + 1)
    lines = text[start : end if end != -1 else len(text)].splitlines()
    blocks, intro, index = [], "", 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            close = lines.index("```", index + 1)
            blocks.append((intro, "".join(f"{code}\n" for code in lines[index + 1 : close])))
            intro, index = "", close + 1
            continue
        if line.strip():
            intro = line.strip()
        index += 1
    return blocks


def replace_once(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, f"{path.name} should hold once:\n{old}"
    path.write_text(text.replace(old, new))


def follow_readme(directory, env, install_line):
    """Do what the section says, block by block; the site's directory."""
    cwd, replacing, done = directory, None, set()
    for intro, code in readme_blocks():
        if intro == "with:":
            path, old = replacing
            replace_once(path, old, code)
            replacing = None
        elif intro == "Run:":
            if INSTALL_LINE in code:
                code = code.replace(INSTALL_LINE, install_line)
                done.add("install")
            run(["bash", "-euo", "pipefail", "-c", code], cwd, env)
            for line in code.splitlines():
                if line.startswith("cd "):
                    cwd = cwd / line.removeprefix("cd ").strip()
        elif match := re.fullmatch(r"Append to `(.+)`:", intro):
            with open(cwd / match[1], "a") as file:
                file.write("\n" + code)
        elif match := re.fullmatch(r"In `(.+)`, replace:", intro):
            replacing = (cwd / match[1], code)
        elif match := re.fullmatch(r"In `(.+)`, delete:", intro):
            replace_once(cwd / match[1], code, "")
        else:
            continue  # an example, not a step (serving the site)
        done.add(intro.split()[0])
    assert replacing is None, "a replace: without its with:"
    assert done >= {"install", "Run:", "Append", "In", "with:"}, done
    return cwd


def run(command, cwd, env, timeout=600):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def check_ids(output):
    return set(re.findall(r"\(([\w.]+\.[EW]\d{3})\)", output))


def csrf_token(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match[1]


class Visitor:
    """One browser: its own cookies, no redirects followed."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path):
        return self.session.get(self.base_url + path, allow_redirects=False, timeout=30)

    def post(self, path, data):
        return self.session.post(self.base_url + path, data=data, allow_redirects=False, timeout=30)

    def log_in(self, username):
        form = self.get("/inloggen/")
        assert form.status_code == 200
        response = self.post(
            "/inloggen/", {"csrfmiddlewaretoken": csrf_token(form.text), "username": username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.text
        return self


def test_a_fresh_wagtail_site_set_up_as_the_readme_says_serves_the_extranet(tmp_path, wheel):
    started = time.monotonic()
    # This site's exact versions; pip takes no extras in constraints (psycopg[binary]).
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(re.sub(r"\[[^\]]*\]", "", (ROOT / "requirements.txt").read_text()))
    venv = tmp_path / "venv"
    # Without pip of its own (its install costs seconds): this process's pip installs into it.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, None)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv), PYTHONUNBUFFERED="1")
    # The README's install line, from the wheel just built (no .pyc up front: faster).
    install_line = f'{sys.executable} -m pip --python {venv / "bin" / "python"} install --no-compile "{wheel}" -c {constraints}'
    site = follow_readme(tmp_path, env, install_line)
    assert (site / "manage.py").exists() and not (site / "search").exists()
    print(f"set up as the README says in {time.monotonic() - started:.0f} s")

    python = str(venv / "bin" / "python")
    # Without the [elasticsearch] extra: the site searches the database.
    assert run([python, "-c", "import importlib.util as u; print(u.find_spec('elasticsearch_dsl'))"], site, env).stdout.strip() == "None"
    created = run([python, "manage.py", "shell", "-v0", "-c", CONTENT], site, env)
    [secured] = re.findall(r"^page (\S+)$", created.stdout, re.M)
    assert secured == "/beveiligd/"

    # manage.py check: clean as the README sets it up; every misconfiguration reported.
    (site / "mysite" / "settings" / "misconfigured.py").write_text(
        "import os\n\nfrom .dev import *  # noqa: F403\n\nexec(os.environ['MISCONFIGURATION'])\n"
    )
    cases = {"": set(), "\n".join(MISCONFIGURATIONS): set().union(*MISCONFIGURATIONS.values())}
    checks = {
        setting: subprocess.Popen(
            [python, "manage.py", "check", "--fail-level", "WARNING"], cwd=site,
            env={**env, "DJANGO_SETTINGS_MODULE": "mysite.settings.misconfigured", "MISCONFIGURATION": setting},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for setting in cases
    }
    outputs = {setting: process.communicate(timeout=300)[0] for setting, process in checks.items()}
    for setting, output in outputs.items():
        assert check_ids(output) == cases[setting], f"{setting!r}:\n{output}"
        assert (checks[setting].returncode == 0) == (not cases[setting]), output
    assert "System check identified no issues" in outputs[""], outputs[""]

    port = free_port()
    log = open(tmp_path / "runserver.log", "wb")
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=site, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for_port(port, server)
        base_url = f"http://127.0.0.1:{port}"
        anonymous, outsider = Visitor(base_url), Visitor(base_url).log_in("buitenstaander")
        reader = Visitor(base_url).log_in("lezer")

        # The secured page: the login for anonymous visitors, 403 without the profile.
        home = anonymous.get("/")
        assert home.status_code == 200 and 'name="volgen"' not in home.text
        response = anonymous.get(secured)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/inloggen/?next={secured}"
        response = outsider.get(secured)
        assert response.status_code == 403 and "Je hebt geen toegang tot deze pagina" in response.text
        assert "Lees hoe je toegang krijgt" in response.text  # ExtranetSettings, no context processor
        assert SECURED_TITLE not in response.text
        response = reader.get(secured)
        assert response.status_code == 200 and SECURED_TITLE in response.text
        assert "private" in response.headers["Cache-Control"]

        # The database search shows the page only to who may read it.
        response = anonymous.get(f"/zoeken/?q={SECRET_WORD}")
        assert response.status_code == 200 and "Geen resultaten" in response.text
        assert SECURED_TITLE not in response.text
        response = outsider.get(f"/zoeken/?q={SECRET_WORD}")
        assert response.status_code == 200 and SECURED_TITLE not in response.text
        response = reader.get(f"/zoeken/?q={SECRET_WORD}")
        assert response.status_code == 200 and SECURED_TITLE in response.text and f'href="{secured}"' in response.text

        # Following: the toggle in the base template, posted without JavaScript.
        page = reader.get(secured).text
        action = re.search(r'<form method="post" action="(/volgen/\d+/)"', page)[1]
        assert re.search(r'name="volgen" value="1"', page) and "Volg deze pagina</span>" in page
        response = reader.post(action, {"csrfmiddlewaretoken": csrf_token(page), "volgen": "1", "next": secured})
        assert response.status_code == 302 and response.headers["Location"] == secured
        page = reader.get(secured).text
        assert re.search(r'name="volgen" value="0"', page) and "Volg deze pagina niet meer</span>" in page
        assert 'name="volgen"' not in outsider.get("/").text  # no profile: nothing to follow

        # Feedback from the footer's link lands on the thank-you page, naming no secured page.
        form = anonymous.get(f"/feedback/?pagina={secured}")
        assert form.status_code == 200
        response = anonymous.post(
            f"/feedback/?pagina={secured}",
            {"csrfmiddlewaretoken": csrf_token(form.text), "message": "De cijfers ontbreken.",
             "name": "Anna", "email": "anna@example.be", "website": ""},
        )
        assert response.status_code == 302, response.text
        assert response.headers["Location"].startswith("/feedback/bedankt/")
        thanks = anonymous.get(response.headers["Location"])
        assert thanks.status_code == 200 and "We hebben je feedback goed ontvangen." in thanks.text
        assert SECURED_TITLE not in thanks.text
    finally:
        kill_group(server)
        log.close()
    stored = run([python, "manage.py", "shell", "-v0", "-c",
                  "from cms_extranet.feedback.models import Feedback; print('feedback', Feedback.objects.count())"],
                 site, env)
    assert re.search(r"^feedback 1$", stored.stdout, re.M), stored.stdout
    print(f"proved in {time.monotonic() - started:.0f} s")
