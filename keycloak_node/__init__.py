"""Keycloak, the identity provider of the login tests and of ``make run-sso``
(``cms_extranet.sso``): the distribution from Maven Central (``mvn dependency:copy``),
unpacked and built once into a cache outside the repository, and started from a copy with
the demo realm of ``extranet-realm.json``. It needs Java 21 or newer (KEYCLOAK_JAVA_HOME,
or a JDK under /usr/lib/jvm)."""

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

VERSION = "26.5.6"
ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{VERSION}:zip"
REALM_FILE = Path(__file__).parent / "extranet-realm.json"
REALM = "extranet"
CLIENT_ID = "extranet-site"
CLIENT_SECRET = "extranet-test-secret"
ADMIN = ("keycloak-admin", "keycloak-admin-test")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cache_dir():
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "extranet-keycloak"


def java_home():
    """A JDK of version 21 or newer, or None."""
    candidates = [os.environ.get("KEYCLOAK_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*") if p.is_dir())
    for home in filter(None, candidates):
        java = Path(home) / "bin" / "java"
        if not java.exists():
            continue
        version = subprocess.run([str(java), "-version"], capture_output=True, text=True).stderr
        match = re.search(r'version "(\d+)', version)
        if match and int(match.group(1)) >= 21:
            return home
    return None


def missing_tools():
    """Why Keycloak cannot run here, or None."""
    missing = [tool for tool in ("mvn", "unzip") if not shutil.which(tool)]
    if java_home() is None:
        missing.append("a JDK 21 or newer (KEYCLOAK_JAVA_HOME)")
    return f"not installed: {', '.join(missing)}" if missing else None


def install():
    """The built distribution in the cache: fetched, unpacked and built (`kc.sh build`) once."""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    home = cache / f"keycloak-{VERSION}"
    with open(cache / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / ".built").exists():
            return home
        subprocess.run(
            ["mvn", "-q", "dependency:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={cache}"],
            check=True, capture_output=True, timeout=900,
        )
        shutil.rmtree(home, ignore_errors=True)
        unpacked = Path(tempfile.mkdtemp(dir=cache))
        subprocess.run(
            ["unzip", "-q", str(cache / f"keycloak-quarkus-dist-{VERSION}.zip"), "-d", str(unpacked)],
            check=True, timeout=600,
        )
        (unpacked / f"keycloak-{VERSION}").rename(home)
        unpacked.rmdir()
        # Keycloak's build step, once: starts then skip it (`start --optimized`).
        subprocess.run(
            [str(home / "bin" / "kc.sh"), "build", "--db=dev-file", "--health-enabled=true"],
            env={**os.environ, "JAVA_HOME": java_home()}, check=True, capture_output=True, timeout=900,
        )
        (home / ".built").touch()
        return home


class Keycloak:
    """A Keycloak server of its own, on free ports, with the test realm imported."""

    def __init__(self, directory, port=None, java_opts=()):
        self.directory = Path(directory)
        self.java_opts = java_opts
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/realms/{REALM}"
        self.process = None

    def start(self, timeout=120):
        home = self.directory / "keycloak"
        # Hard links: the jars are shared with the cache, the data directory is this server's.
        subprocess.run(["cp", "-al", str(install()), str(home)], check=True)
        shutil.rmtree(home / "data", ignore_errors=True)
        (home / "data" / "import").mkdir(parents=True)
        shutil.copy(REALM_FILE, home / "data" / "import")
        env = {
            **os.environ,
            "JAVA_HOME": java_home(),
            # On Java 24 and later Keycloak's worker threads need this, or they die at start.
            "JAVA_OPTS_APPEND": " ".join(["--add-opens=java.base/java.lang=ALL-UNNAMED", *self.java_opts]),
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN[0],
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1],
        }
        self.process = subprocess.Popen(
            [
                str(home / "bin" / "kc.sh"), "start", "--optimized", "--import-realm",
                "--http-enabled=true", "--http-host=127.0.0.1", f"--http-port={self.port}",
                f"--http-management-port={free_port()}", "--hostname-strict=false",
            ],
            env=env, stdout=open(self.directory / "keycloak.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2)
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Keycloak did not start:\n{self.log()[-3000:]}")
                time.sleep(0.5)

    def log(self):
        path = self.directory / "keycloak.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def admin(self, method, path, body=None):
        """Keycloak's admin REST API on the test realm, as its bootstrap administrator."""
        token_request = urllib.parse.urlencode(
            {"client_id": "admin-cli", "grant_type": "password", "username": ADMIN[0], "password": ADMIN[1]}
        ).encode()
        with urllib.request.urlopen(f"{self.url}/realms/master/protocol/openid-connect/token", token_request) as response:
            token = json.load(response)["access_token"]
        request = urllib.request.Request(
            f"{self.url}/admin/realms/{REALM}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            content = response.read()
            return json.loads(content) if content else None
