#!/usr/bin/env python3
"""Drives a running Svitok through a client generated from its OpenAPI document.

Usage: client-scenario.py CLIENT_DIR OPENAPI_JSON BASE_URL OUTBOX_DIR

CLIENT_DIR holds the package `openapi-python-client` generated (svitok_api_client).
Run as another system's developer would: first every operation of the document must
have its function in the client, with every response it documents; then a user
registers and logs in with the mailed codes, creates documents (JSON and a file), lists
them, downloads the file and the CA's certificate and CRL, sends a card and reads the
inbox. (A new user may not sign, so signing is left to the Rust tests.) Prints the user's token for scripts/fuzz-api.sh.
"""
import glob
import importlib
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, __file__.rsplit("/", 1)[0])

from api_session import LOGIN, MAIL, PASSWORD, next_code  # noqa: E402

from svitok_api_client import AuthenticatedClient, Client  # noqa: E402
from svitok_api_client.api.auth import confirm_registration, login, register, verify_login  # noqa: E402
from svitok_api_client.api.documents import (  # noqa: E402
    create_document, download_version, inbox, list_documents, send_document)
from svitok_api_client.api.me import me  # noqa: E402
from svitok_api_client.api.pki import ca_certificate, crl  # noqa: E402
from svitok_api_client.models import (  # noqa: E402
    CreateDocumentRequest, DocumentPage, DocumentView, EmailCodeRequest, InboxPage, LoginRequest,
    PartyKind, PartyRef, RegisterRequest, SendRequest, UploadForm, UserView,
    VerifyRequest)
from svitok_api_client.types import File  # noqa: E402


def fail(msg):
    sys.exit(f"client-scenario: {msg}")


def expect(resp, status, what):
    if resp.status_code != status:
        fail(f"{what}: HTTP {resp.status_code}, expected {status}: {resp.content[:300]!r}")
    return resp.parsed


def every_operation_generated(spec):
    """Each operation has its module, and no documented response was dropped."""
    count = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            count += 1
            name = f"svitok_api_client.api.{op['tags'][0]}.{op['operationId']}"
            try:
                mod = importlib.import_module(name)
            except ImportError:
                fail(f"{method.upper()} {path}: the generated client has no {name}")
            source = open(mod.__file__, encoding="utf-8").read()
            for status, resp in op["responses"].items():
                if resp.get("content") and f"response.status_code == {status}" not in source:
                    fail(f"{method.upper()} {path}: the client drops the {status} response")
    return count


def main():
    client_dir, spec_path, base, outbox = sys.argv[1:5]
    user, password = LOGIN, PASSWORD
    spec = json.load(open(spec_path, encoding="utf-8"))
    count = every_operation_generated(spec)

    anon = Client(base_url=base)
    seen = set(glob.glob(os.path.join(outbox, "*.eml")))
    expect(register.sync_detailed(client=anon, body=RegisterRequest(
        login=user, email=MAIL, password=password, last_name="Тестов", first_name="Фаззер")),
        202, "register")
    expect(confirm_registration.sync_detailed(client=anon, body=EmailCodeRequest(
        email=MAIL, code=next_code(outbox, seen))), 200, "confirm the registration")
    challenge = expect(login.sync_detailed(client=anon, body=LoginRequest(login=user, password=password)),
                       200, "log in").challenge
    token = expect(verify_login.sync_detailed(
        client=anon, body=VerifyRequest(challenge=challenge, code=next_code(outbox, seen))),
        200, "the mailed code").token
    api = AuthenticatedClient(base_url=base, token=token)
    who = expect(me.sync_detailed(client=api), 200, "GET /me")
    if not isinstance(who, UserView) or who.login != user:
        fail(f"GET /me answered {who!r}")

    card = expect(create_document.sync_detailed(
        client=api, body=CreateDocumentRequest(title="Приказ из сгенерированного клиента", kind="order")),
        201, "create a card")
    payload = "Текст приказа.\n".encode() * 100
    filed = expect(create_document.sync_detailed(client=api, body=UploadForm(
        file=File(payload=payload, file_name="приказ.txt", mime_type="text/plain"),
        title="Файл из сгенерированного клиента")), 201, "upload a file")
    if not isinstance(card, DocumentView) or not isinstance(filed, DocumentView):
        fail("a created document did not parse as DocumentView")

    page = expect(list_documents.sync_detailed(client=api, q="сгенерированного"), 200, "list documents")
    if not isinstance(page, DocumentPage) or {d.id for d in page.items} < {card.id, filed.id}:
        fail(f"the list misses the new documents: {page!r}")

    got = expect(download_version.sync_detailed(filed.id, 1, client=api), 200, "download the file")
    if got.payload.read() != payload:
        fail("the downloaded file differs from the uploaded one")

    pem = expect(ca_certificate.sync_detailed(client=anon), 200, "the CA certificate")
    if b"BEGIN CERTIFICATE" not in pem.payload.read():
        fail("the CA certificate is not PEM")
    der = expect(crl.sync_detailed(client=anon), 200, "the CRL")
    if not der.payload.read().startswith(b"\x30"):
        fail("the CRL is not DER")

    sent = expect(send_document.sync_detailed(card.id, client=api, body=SendRequest(
        to=[PartyRef(kind=PartyKind.USER, id=who.id)])), 200, "send the card")
    if sent.sent != 1:
        fail(f"the card reached {sent.sent} recipients, not 1")
    box = expect(inbox.sync_detailed(client=api), 200, "read the inbox")
    if not isinstance(box, InboxPage):
        fail(f"the inbox did not parse: {box!r}")
    print(f"client-scenario: {count} operations generated; register, log in, create, list, "
          f"download, send, inbox ({len(box.items)} items) all through the generated client",
          file=sys.stderr)
    print(token)


if __name__ == "__main__":
    main()
