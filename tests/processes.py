"""The site's own processes for tests that need them real: a database of their own with
the demo content, the web server, the django-q2 cluster, and an SMTP server (aiosmtpd).

The pytest database lives inside a transaction that other processes cannot see, so these
tests get a scratch database: a SQLite file, or a new database on the PostgreSQL server
of DATABASE_URL.
"""

import asyncio
import email
import email.policy
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
# Keycloak and the Nu checker start, do little and stop: the quick compiler alone costs
# a third to a half less CPU (Elasticsearch, which works hard in its tests, keeps both).
TEST_JVM_OPTS = ("-XX:TieredStopAtLevel=1",)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchSite:
    """A migrated database with the demo content, and the environment to run the site on it."""

    def __init__(self, directory, **env):
        self.directory = Path(directory)
        self.url = clone_migrated(f"extranet_scratch_{uuid.uuid4().hex[:8]}", self.directory / "scratch.sqlite3")
        copy_template_media(self.directory / "media")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": self.url,
            "EXTRANET_Q_SYNC": "0",
            "EXTRANET_DIGEST_SEND_CONNECTIONS": "4",  # the scratch site sends as in production
            "VAR_DIR": str(self.directory),
            "EXTRANET_TEST_MEDIA_ROOT": str(self.directory / "media"),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self._console = None

    def manage(self, *args, check=True, timeout=600, env=None):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
            check=check, timeout=timeout, capture_output=True, text=True,
        )

    def python(self, code, timeout=300, env=None):
        """Run Django code against this site, as `manage.py shell -c` would; its stdout.

        Without an environment of its own it runs in one Django process kept for the
        site (a new process per call costs seconds)."""
        if env:
            return self.manage("shell", "-v0", "-c", code, timeout=timeout, env=env).stdout
        if self._console is None or self._console.poll() is not None:
            self._console = subprocess.Popen(
                [sys.executable, "-c", CONSOLE], cwd=ROOT, env=self.env, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=open(self.directory / "console.log", "ab"),
            )
        self._console.stdin.write(json.dumps(code) + "\n")
        self._console.stdin.flush()
        line = self._console.stdout.readline()
        if not line:
            raise AssertionError(f"the console stopped:\n{self.log('console')}")
        answer = json.loads(line)
        if answer["error"]:
            raise AssertionError(f"{answer['error']}\nwhile running:\n{code}")
        return answer["stdout"]

    def start(self, *args, env=None, log_name="process", script="manage.py"):
        """A long-running manage.py command (or ``script``) in its own process group."""
        log = open(self.directory / f"{log_name}.log", "ab")
        return subprocess.Popen(
            [sys.executable, script, *args], cwd=ROOT, env={**self.env, **(env or {})},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log(self, log_name):
        path = self.directory / f"{log_name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self):
        if self._console is not None:
            self._console.kill()
            self._console.wait()
        drop_database(self.url)


def on_postgres():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def admin_sql(statement):
    """A statement on the PostgreSQL server of DATABASE_URL, outside any transaction."""
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"], user=config["USER"],
        password=config["PASSWORD"], dbname=config["NAME"], autocommit=True,
    ) as conn:
        conn.execute(statement)


def run_directory():
    """Shared by this run's processes (pytest-xdist's workers too): tests/conftest.py sets it."""
    return Path(os.environ["EXTRANET_TEST_RUN_DIR"])


# The template's demo content, migrated and loaded in one Django process.
SET_UP_TEMPLATE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
call_command("load_demo_content", verbosity=0)
from django.db import connection
if connection.vendor == "postgresql":  # the planner's statistics, as autovacuum gathers them; copies keep them
    connection.cursor().execute("ANALYZE")
"""


def migrated_template():
    """The URL of this run's migrated database with the demo content, which the first caller
    of the run sets up: migrating and loading are the slowest part of setting up a database,
    so each one the suite needs (the pytest-xdist workers', the scratch sites') is a copy of
    it, and of its files (copy_template_media)."""
    directory = run_directory()
    with open(directory / "template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # set up once; no copy of a half-built template
        ready = directory / "template.url"
        if not ready.exists():
            url = new_database_url(f"extranet_template_{uuid.uuid4().hex[:8]}", directory / "template.sqlite3")
            subprocess.run(
                [sys.executable, "-c", SET_UP_TEMPLATE], cwd=ROOT,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test", "DATABASE_URL": url,
                     "VAR_DIR": str(directory), "EXTRANET_TEST_MEDIA_ROOT": str(directory / "template-media")},
                check=True, capture_output=True, text=True, timeout=900,
            )
            ready.write_text(url)
        return ready.read_text()


def copy_template_media(media_root):
    """The files of the template's demo content (its documents) into ``media_root`` and its
    private sibling (cms/settings/test.py), for a copy of the template."""
    migrated_template()  # the files are there once the template is
    source = run_directory() / "template-media"
    for suffix in ("", "-private"):
        if Path(f"{source}{suffix}").exists():
            shutil.copytree(f"{source}{suffix}", f"{media_root}{suffix}", dirs_exist_ok=True)


def clone_migrated(name, sqlite_path):
    """A new database copied from the migrated template (named ``name`` on PostgreSQL, the
    file ``sqlite_path`` on SQLite), and its URL."""
    template = urlsplit(migrated_template()).path[1:]
    if on_postgres():
        return new_database_url(name, None, template=template)
    shutil.copyfile(template, sqlite_path)
    return f"sqlite:///{sqlite_path}"


def new_database_url(name, sqlite_path, template=None):
    if not on_postgres():
        return f"sqlite:///{sqlite_path}"
    admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + name))


def drop_database(url):
    if url.startswith(("postgres://", "postgresql://")):
        admin_sql(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')


# ScratchSite.python's process: each line on stdin is a JSON string of code, run in a fresh
# namespace as `manage.py shell -c` runs it; each answer a JSON line of its stdout or error.
CONSOLE = """
import contextlib, io, json, os, sys, traceback
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # what else is written to stdout (logging) goes to the log
import django
django.setup()
from django.db import close_old_connections
for line in sys.stdin:
    output, error = io.StringIO(), ""
    close_old_connections()
    try:
        with contextlib.redirect_stdout(output):
            exec(json.loads(line), {"__name__": "__main__"})
    except BaseException:
        error = traceback.format_exc()
    answers.write(json.dumps({"stdout": output.getvalue(), "error": error}) + "\\n")
    answers.flush()
"""


def kill_group(process, sig=signal.SIGKILL):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def wait_for_port(port, process=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process stopped with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


class Mailbox:
    """aiosmtpd handler: keeps every accepted message, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.delay = 0  # seconds per message: a slower server widens a test's time windows

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def received(self):
        with self.lock:
            return list(self.messages)

    def clear(self):
        with self.lock:
            self.messages.clear()
        self.delay = 0


class SMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def settings_for_smtp(django_settings, server):
    django_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    django_settings.EMAIL_HOST = "127.0.0.1"
    django_settings.EMAIL_PORT = server.port
    django_settings.EMAIL_USE_TLS = False


class PostgresServer:
    """A throwaway PostgreSQL server of a test's own (Debian's packages, as .ci/run installs
    them), which the test can stop and start again."""

    def __init__(self):
        # Not under pytest's tmp_path: the postgres user must reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="extranet-test-pg-"))
        bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name))
        if not bindirs:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bindirs[-1]
        self.port = free_port()
        self.data = self.directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/extranet"
        if os.geteuid() == 0:  # the server refuses to run as root
            subprocess.run(["chown", "-R", "postgres:", str(self.directory)], check=True)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--locale=C",
                  "--no-sync", "--auth=trust")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.directory}'\nfsync = off\n")

    def _run(self, program, *args):
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd="/")

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-w", "start")
        return self

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self):
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "extranet")

    def copy_database(self, url):
        """The database at ``url`` (on another PostgreSQL server) copied into this server's."""
        dump = subprocess.run([str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", url],
                              check=True, capture_output=True)
        subprocess.run([str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url],
                       input=dump.stdout, check=True, capture_output=True)
