"""``manage.py runserver`` for the tests' web server, with Nagle's algorithm off.

runserver keeps HTTP/1.1 connections alive and writes a response's headers and body in
separate sends; on a kept-alive connection the body then waits for the client's delayed
ACK, about 40 ms a request (Schemathesis's 725 requests spent 25 s of 36 s waiting).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.management import execute_from_command_line  # noqa: E402
from django.core.servers.basehttp import WSGIRequestHandler  # noqa: E402

WSGIRequestHandler.disable_nagle_algorithm = True

if __name__ == "__main__":
    execute_from_command_line(["manage.py", "runserver", *sys.argv[1:]])
