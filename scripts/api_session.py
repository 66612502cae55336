#!/usr/bin/env python3
"""Prints a Bearer token for a running Svitok that mails to its outbox.

Usage: api_session.py BASE_URL OUTBOX_DIR [LOGIN PASSWORD]
Without LOGIN it registers a new user; with it, it logs that existing user in.
Used by scripts/fuzz-api.sh and bench/; standard library only.
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

BASE, OUTBOX = sys.argv[1], sys.argv[2]
LOGIN, MAIL, PASSWORD = "fuzzer", "fuzzer@example.ru", "зелёный трамвай едет в 7 утра"


def post(path, body):
    req = urllib.request.Request(BASE + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def next_code(seen):
    for _ in range(200):
        for path in sorted(glob.glob(os.path.join(OUTBOX, "*.eml"))):
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


seen = set(glob.glob(os.path.join(OUTBOX, "*.eml")))
if len(sys.argv) > 4:
    LOGIN, PASSWORD = sys.argv[3], sys.argv[4]
else:
    post("/api/v1/auth/register", {"login": LOGIN, "email": MAIL, "password": PASSWORD,
                                   "last_name": "Тестов", "first_name": "Фаззер"})
    post("/api/v1/auth/register/confirm", {"email": MAIL, "code": next_code(seen)})
challenge = post("/api/v1/auth/login", {"login": LOGIN, "password": PASSWORD})["challenge"]
print(post("/api/v1/auth/login/verify", {"challenge": challenge, "code": next_code(seen)})["token"])
