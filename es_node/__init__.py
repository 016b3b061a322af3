"""The Elasticsearch tooling outside the runtime packages: a throwaway node for tests and benchmarks, and the build of the Dutch stemming plugin every node needs (``python -m es_node <dir>``).

The official test distribution comes from Maven Central (``mvn dependency:copy``) and is
cached outside the repository. The project's Dutch stemming plugin
(``es_node/plugin``) is built and installed into it as on production nodes.
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ES_VERSION = "8.19.21"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
PLUGIN_SOURCE = Path(__file__).parent / "plugin"
PLUGIN_NAME = "extranet-analysis-dutch"
IS_ROOT = os.geteuid() == 0


def cache_dir():
    if os.environ.get("EXTRANET_ES_CACHE"):
        return Path(os.environ["EXTRANET_ES_CACHE"])
    # Elasticsearch refuses to run as root; the user it then runs as must read the cache.
    if IS_ROOT:
        return Path("/var/cache/extranet-search")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "extranet-search"


def java_home():
    if os.environ.get("ES_JAVA_HOME"):
        return os.environ["ES_JAVA_HOME"]
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


def missing_tools():
    """Why no node can be started here, or None."""
    missing = [tool for tool in ("java", "javac", "mvn") if not shutil.which(tool)]
    return f"not installed: {', '.join(missing)}" if missing else None


def _plugin_hash():
    digest = hashlib.sha256(ES_VERSION.encode())
    for path in sorted(PLUGIN_SOURCE.rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_plugin(home, output):
    """The plugin's zip in ``output``, compiled against the distribution in ``home``;
    ``elasticsearch-plugin install file:///...`` takes it on any node of ES_VERSION."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    archive = output / f"{PLUGIN_NAME}-{ES_VERSION}.zip"
    with tempfile.TemporaryDirectory() as build:
        sources = [str(p) for p in (PLUGIN_SOURCE / "src").rglob("*.java")]
        subprocess.run(
            ["javac", "--release", "17", "-d", build, "-cp", str(Path(home) / "lib" / "*"), *sources],
            check=True,
        )
        jar = Path(build) / f"{PLUGIN_NAME}.jar"
        with zipfile.ZipFile(jar, "w") as classes:
            for path in Path(build).rglob("*.class"):
                classes.write(path, path.relative_to(build))
        descriptor = (PLUGIN_SOURCE / "stable-plugin-descriptor.properties.in").read_text()
        with zipfile.ZipFile(archive, "w") as plugin:
            plugin.write(jar, jar.name)
            plugin.write(PLUGIN_SOURCE / "named_components.json", "named_components.json")
            plugin.writestr("stable-plugin-descriptor.properties", descriptor.replace("@ES_VERSION@", ES_VERSION))
    return archive


def _install_plugin(home):
    """Install the plugin as production does: ``elasticsearch-plugin install``."""
    marker = home / ".extranet-plugin-hash"
    if marker.exists() and marker.read_text() == _plugin_hash():
        return
    env = {**os.environ, "ES_JAVA_HOME": java_home() or "", "ES_PATH_CONF": str(home / "config")}
    plugin_cli = str(home / "bin" / "elasticsearch-plugin")
    if (home / "plugins" / PLUGIN_NAME).exists():
        subprocess.run([plugin_cli, "remove", "--silent", PLUGIN_NAME], env=env, check=True)
    with tempfile.TemporaryDirectory() as output:
        archive = build_plugin(home, output)
        subprocess.run([plugin_cli, "install", "--batch", "--silent", archive.as_uri()], env=env, check=True)
    marker.write_text(_plugin_hash())


def ensure_distribution():
    """The unpacked distribution with the plugin; downloads and builds what is missing."""
    cache = cache_dir()
    home = cache / f"elasticsearch-{ES_VERSION}"
    if not (home / "bin" / "elasticsearch").exists():
        cache.mkdir(parents=True, exist_ok=True)
        archive = cache / f"elasticsearch-{ES_VERSION}.zip"
        if not archive.exists():
            subprocess.run(
                ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={cache}"],
                check=True,
            )
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(cache)
        for script in (home / "bin").iterdir():
            script.chmod(0o755)
    _install_plugin(home)
    if IS_ROOT:
        subprocess.run(["chmod", "-R", "a+rX", str(cache)], check=True)
    return home


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A single-node cluster on 127.0.0.1 with a small heap, in a temporary directory."""

    def __init__(self, heap="512m"):
        self.heap = heap
        self.process = None

    def start(self, timeout=180):
        home = ensure_distribution()
        self.dir = Path(tempfile.mkdtemp(prefix="extranet-es-"))
        shutil.copytree(home / "config", self.dir / "config")
        self.port = _free_port()
        command = [
            str(home / "bin" / "elasticsearch"),
            "-E", "discovery.type=single-node",
            "-E", "network.host=127.0.0.1",
            "-E", f"http.port={self.port}",
            "-E", f"transport.port={_free_port()}",
            "-E", f"path.data={self.dir / 'data'}",
            "-E", f"path.logs={self.dir / 'logs'}",
            "-E", "xpack.security.enabled=false",
            "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
        ]
        env = {
            **os.environ,
            "ES_PATH_CONF": str(self.dir / "config"),
            "ES_JAVA_HOME": java_home() or "",
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
        }
        if IS_ROOT:
            shutil.chown(self.dir, "nobody")
            subprocess.run(["chown", "-R", "nobody", str(self.dir)], check=True)
            command = ["runuser", "-u", "nobody", "--", *command]
        self.log = open(self.dir / "node.log", "wb")
        self.process = subprocess.Popen(
            command, env=env, cwd="/", stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=2)
                return self.url
            except OSError:
                time.sleep(0.5)
        log = (self.dir / "node.log").read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"Elasticsearch did not start:\n{log}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(getattr(self, "dir", ""), ignore_errors=True)
