#!/usr/bin/env python3
"""Signs version N of a document through the API and prints the seconds the signing call
took (step-up, code from the outbox, then the timed POST).

Usage: sign_version.py BASE_URL OUTBOX_DIR TOKEN DOCUMENT_ID N
"""
import glob
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
BASE, OUTBOX, TOKEN, DOC, N = sys.argv[1:6]


def post(path, body):
    req = urllib.request.Request(BASE + path, json.dumps(body).encode(),
                                 {"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")


def next_code(seen):
    import email, email.policy, re
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
challenge = post("/api/v1/auth/step-up", {})["challenge"]
code = next_code(seen)
start = time.monotonic()
post(f"/api/v1/documents/{DOC}/versions/{N}/signatures", {"challenge": challenge, "code": code})
print(f"{time.monotonic() - start:.2f}")
