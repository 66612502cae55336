#!/usr/bin/env python3
"""Prints a Bearer token for a running Svitok that mails to its outbox.

Usage: api_session.py BASE_URL OUTBOX_DIR [LOGIN PASSWORD]
Without LOGIN it registers a new user; with it, it logs that existing user in.
Used by scripts/client-scenario.py and bench/; standard library only.
"""
import email
import email.policy
import glob
import json
import os
import re
import sys
import time
import urllib.request

LOGIN, MAIL, PASSWORD = "fuzzer", "fuzzer@example.ru", "зелёный трамвай едет в 7 утра"


def post(base, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")


def next_code(outbox, seen):
    """The code of the next message in the outbox not in `seen` (which it extends)."""
    for _ in range(200):
        for path in sorted(glob.glob(os.path.join(outbox, "*.eml"))):
            if path in seen:
                continue
            seen.add(path)
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            text = str(msg["subject"]) + "\n" + msg.get_body(("plain",)).get_content()
            codes = set(re.findall(r"(?<!\d)\d{6}(?!\d)", text))
            if len(codes) == 1:
                return codes.pop()
        time.sleep(0.05)
    sys.exit("no code arrived in the outbox")


def main():
    base, outbox = sys.argv[1], sys.argv[2]
    login, password = LOGIN, PASSWORD
    seen = set(glob.glob(os.path.join(outbox, "*.eml")))
    if len(sys.argv) > 4:
        login, password = sys.argv[3], sys.argv[4]
    else:
        post(base, "/api/v1/auth/register", {"login": login, "email": MAIL, "password": password,
                                             "last_name": "Тестов", "first_name": "Фаззер"})
        post(base, "/api/v1/auth/register/confirm", {"email": MAIL, "code": next_code(outbox, seen)})
    challenge = post(base, "/api/v1/auth/login", {"login": login, "password": password})["challenge"]
    print(post(base, "/api/v1/auth/login/verify", {"challenge": challenge, "code": next_code(outbox, seen)})["token"])


if __name__ == "__main__":
    main()
