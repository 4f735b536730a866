"""Schemathesis hooks for Carebridge's API contract check (see contracts/run).

Two things a generated request cannot know, supplied here; neither changes what is checked:

* **A live token.** The run signs in as CAREBRIDGE_ST_USER (password CAREBRIDGE_ST_PASSWORD)
  through POST /api/v1/auth/token, as a client does. The API under test includes
  DELETE /api/v1/auth/token, so the fuzzer revokes its own token: when that succeeds, the next
  request signs in again. (Re-signing on every 401 instead would re-sign after each of the
  checks' own probes with invalid tokens: thousands of argon2 hashes.) Without
  CAREBRIDGE_ST_USER no provider is registered and the run is anonymous.
* **Idempotency keys that belong to one body.** The server answers a key reused with another
  body with 422, as the document says. Generated requests draw few short keys ("0", "a") for
  many different bodies, which would test little but that refusal; so a well-formed key is
  suffixed with a digest of the body, and the same request (key and body) keeps the same key:
  a replay still replays. Malformed keys are sent as generated, to be refused with 400.
"""

import hashlib
import json
import os
import re
import urllib.request

import schemathesis

BASE = os.environ.get("CAREBRIDGE_ST_BASE", "http://127.0.0.1:8080")
USER = os.environ.get("CAREBRIDGE_ST_USER")
PASSWORD = os.environ.get("CAREBRIDGE_ST_PASSWORD", "carebridge-demo")
KEY_SHAPE = re.compile(r"[!-~]{1,255}\Z")


def sign_in() -> str:
    body = json.dumps({"username": USER, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{BASE}/api/v1/auth/token",
        data=body,
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


class Session:
    """The current token; dropped when the run revokes it."""

    token = None


if USER:

    @schemathesis.auth(refresh_interval=None)
    class CarebridgeToken:
        def get(self, case, context):
            if Session.token is None:
                Session.token = sign_in()
            return Session.token

        def set(self, case, data, context):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        key = headers[name]
        if isinstance(key, str) and KEY_SHAPE.match(key):
            body = json.dumps(case.body, sort_keys=True, default=str) if case.body is not None else ""
            digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            headers[name] = f"{key[:200]}-{digest}"


@schemathesis.hook
def after_call(context, case, response):
    # Only a valid token can be revoked, and the only valid one is ours.
    if case.method.upper() == "DELETE" and case.path.endswith("/auth/token") and response.status_code == 204:
        Session.token = None
