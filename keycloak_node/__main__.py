"""A local Keycloak with the demo realm, for trying the login through the provider:
``python -m keycloak_node [--port 8180]`` (``make run-sso`` starts it beside the site)."""

import argparse
import signal
import tempfile

from . import CLIENT_ID, CLIENT_SECRET, Keycloak

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--port", type=int, default=8180)
args = parser.parse_args()
with tempfile.TemporaryDirectory(prefix="extranet-keycloak-") as directory:
    server = Keycloak(directory, port=args.port)
    print(f"Keycloak starting on {server.url} (first time: fetched and built, about a minute) ...", flush=True)
    server.start(timeout=600)
    print(f"OIDC_ISSUER={server.issuer} OIDC_CLIENT_ID={CLIENT_ID} OIDC_CLIENT_SECRET={CLIENT_SECRET}", flush=True)
    print("Demo logins at the provider (password extranet-demo): mlp.partner, sso.mlp, sso.geenprofiel, sso.auditor", flush=True)
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})  # Keycloak runs already
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        server.stop()
