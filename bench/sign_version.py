#!/usr/bin/env python3
"""Signs version N of a document through the API and prints the seconds the signing call
took (step-up, code from the outbox, then the timed POST).

Usage: sign_version.py BASE_URL OUTBOX_DIR TOKEN DOCUMENT_ID N
"""
import glob
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from api_session import next_code, post  # noqa: E402

BASE, OUTBOX, TOKEN, DOC, N = sys.argv[1:6]
seen = set(glob.glob(os.path.join(OUTBOX, "*.eml")))
challenge = post(BASE, "/api/v1/auth/step-up", {}, TOKEN)["challenge"]
code = next_code(OUTBOX, seen)
start = time.monotonic()
post(BASE, f"/api/v1/documents/{DOC}/versions/{N}/signatures", {"challenge": challenge, "code": code}, TOKEN)
print(f"{time.monotonic() - start:.2f}")
