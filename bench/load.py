"""Partners as threads against a running site over HTTP (stdlib only), for
`bench/office_load.py` and `bench/serve_load.py`."""

import http.cookiejar
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from tqdm import tqdm

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FOLLOW = re.compile(r'action="/volgen/(\d+)/"')
VALUE = re.compile(r'name="volgen" value="([01])"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process=None, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One browser: its own cookies; every answer goes to ``record(kind, status, seconds, path)``.

    ``https``: behind the production settings' TLS proxy (`X-Forwarded-Proto: https`), with
    secure cookies sent back over the plain connection and an https Referer for CSRF.
    ``follow_redirects=False`` times each HTTP request on its own (a 302 is an answer).
    """

    def __init__(self, base, record, https=False, follow_redirects=True):
        self.base, self.record = base, record
        self.referer_base = base.replace("http://", "https://", 1) if https else base
        self.headers = {"X-Forwarded-Proto": "https"} if https else {}
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http") if https else ("https", "wss"))
        handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(policy))]
        if not follow_redirects:
            handlers.append(NoRedirect)
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path, data=None, kind="GET"):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={**self.headers, "Referer": self.referer_base + path})
        start = time.monotonic()
        try:
            response = self.opener.open(request, timeout=60)
            status, html = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, html = error.code, error.read().decode(errors="replace")
        except OSError:
            status, html = "no answer", ""
        self.record(kind, status, time.monotonic() - start, path)
        return status, html

    @staticmethod
    def csrf(html):
        match = CSRF.search(html)
        return match.group(1) if match else ""

    def log_in(self, username, password, path="/inloggen/"):
        _, html = self.request(path, kind="login")
        return self.request(path, {"csrfmiddlewaretoken": self.csrf(html), "username": username,
                                   "password": password}, "login")

    def toggle_follow(self, html, kind="follow"):
        """Follow or unfollow the page of ``html`` through its button, if it has one."""
        follow, value = FOLLOW.search(html), VALUE.search(html)
        if follow and value:
            return self.request(f"/volgen/{follow.group(1)}/", {"csrfmiddlewaretoken": self.csrf(html),
                                                              "volgen": value.group(1)}, kind)
        return None

    def send_feedback(self, text, page="/", kind="feedback", form_kind=None):
        """The feedback form, then the text; the answer to posting it."""
        path = f"/feedback/?pagina={urllib.parse.quote(page)}"
        _, form = self.request(path, kind=form_kind or kind)
        return self.request(path, {"csrfmiddlewaretoken": self.csrf(form), "message": text}, kind)


def run_threads(targets, seconds, desc="load", elapsed=None):
    """Runs each callable in a thread of its own, with a progress bar over ``seconds``
    (``elapsed()``: the seconds of the run so far, by default since the threads started)."""
    started = time.monotonic()
    elapsed = elapsed or (lambda: time.monotonic() - started)
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    with tqdm(total=round(seconds), unit="s", desc=desc) as bar:
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.5)
            bar.update(min(round(seconds), int(elapsed())) - bar.n)
    for thread in threads:
        thread.join()
