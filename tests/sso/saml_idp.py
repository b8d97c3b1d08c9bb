"""A real SAML 2.0 identity provider for the tests: pysaml2's own IdP (saml2.server.Server)
behind a small WSGI app, in its own process, signing with Debian's xmlsec1.

Run as `python -m tests.sso.saml_idp PORT SP_METADATA_URL CONTROL_TOKEN DIR`. It serves its
metadata at /metadata, takes AuthnRequests by HTTP-Redirect at /sso/redirect, shows a login
form, and answers with a signed response and assertion by HTTP-POST (the auto-submitting form
a browser would post to the service provider). /control/user (POST, with the control token)
creates a person or changes their groups (isMemberOf). Offline: the SP's metadata is read
from the service provider under test, nothing else is fetched.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_UNSPECIFIED
from saml2.server import Server

PORT, SP_METADATA_URL, CONTROL_TOKEN, DIRECTORY = sys.argv[1:5]
BASE = f"http://127.0.0.1:{PORT}"
USERS: dict[str, dict[str, Any]] = {}


def config(with_sp: bool) -> IdPConfig:
    conf = {
        "entityid": f"{BASE}/metadata",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": str(Path(DIRECTORY) / "idp.key"),
        "cert_file": str(Path(DIRECTORY) / "idp.crt"),
        "service": {
            "idp": {
                "name": "Test IdP",
                "endpoints": {
                    "single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_UNSPECIFIED],
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 15},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
                "want_authn_requests_signed": False,
            }
        },
    }
    if with_sp:
        conf["metadata"] = {"remote": [{"url": SP_METADATA_URL, "cert": None}]}
    idp_config = IdPConfig()
    idp_config.load(conf)
    return idp_config


_server: Server | None = None


def server() -> Server:
    """Made at the first sign-in: the service provider is up by then to give its metadata."""
    global _server
    if _server is None:
        _server = Server(config=config(with_sp=True))
    return _server


def page(body: str, status: str = "200 OK") -> tuple[str, list, bytes]:
    return status, [("Content-Type", "text/html; charset=utf-8")], body.encode()


def login_form(saml_request: str, relay_state: str, error: str = "") -> tuple[str, list, bytes]:
    return page(
        f'<p>{html.escape(error)}</p><form method="post" action="/sso/login">'
        f'<input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">'
        f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
        '<input name="username"><input name="password" type="password"><button>Sign in</button>'
        "</form>"
    )


def sign_in(form: dict[str, str]) -> tuple[str, list, bytes]:
    idp = server()
    request = idp.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT).message
    person = USERS.get(form.get("username", ""))
    if person is None or person["password"] != form.get("password"):
        return login_form(form["SAMLRequest"], form["RelayState"], "Wrong user name or password")
    identity = {
        "uid": [person["username"]],
        "mail": [person["email"]],
        "givenName": [person.get("first_name", "")],
        "sn": [person.get("last_name", "")],
        "isMemberOf": list(person["groups"]),
    }
    destination = request.assertion_consumer_service_url
    response = idp.create_authn_response(
        identity,
        in_response_to=request.id,
        destination=destination,
        sp_entity_id=request.issuer.text,
        name_id_policy=request.name_id_policy,
        userid=person["username"],
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        sign_response=True,
        sign_assertion=True,
    )
    http_args = idp.apply_binding(
        BINDING_HTTP_POST, str(response), destination, form["RelayState"], response=True
    )
    return page(http_args["data"])


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    body = b""
    if method == "POST":
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if path == "/metadata":
        result = (
            "200 OK",
            [("Content-Type", "application/samlmetadata+xml")],
            (create_metadata_string(None, config=config(with_sp=False), valid=24)),
        )
    elif path == "/sso/redirect" and method == "GET":
        result = login_form(query["SAMLRequest"], query.get("RelayState", ""))
    elif path == "/sso/login" and method == "POST":
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        result = sign_in(form)
    elif path == "/control/user" and method == "POST":
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {CONTROL_TOKEN}":
            result = page("", "403 Forbidden")
        else:
            person = json.loads(body)
            USERS[person["username"]] = person
            result = "200 OK", [("Content-Type", "application/json")], b'{"ok": true}'
    else:
        result = page("not found", "404 Not Found")
    status, headers, content = result
    start_response(status, headers)
    return [content]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    httpd = make_server("127.0.0.1", int(PORT), application, server_class=ThreadingServer)
    print("ready", flush=True)
    httpd.serve_forever()
