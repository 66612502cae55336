#!/usr/bin/env python3
"""Creates N document cards through the API as the token's user, and sends every K-th
one to RECIPIENT (a user id), over 4 keep-alive connections.

Usage: seed_documents.py BASE_URL TOKEN N [RECIPIENT K]
"""
import http.client
import json
import sys
import threading
import urllib.parse

BASE, TOKEN, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
RECIPIENT = sys.argv[4] if len(sys.argv) > 4 else None
K = int(sys.argv[5]) if len(sys.argv) > 5 else 0
KINDS = ["Приказ", "Заявление", "Договор", "Служебная записка", "Акт"]
url = urllib.parse.urlparse(BASE)
HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}


def call(conn, method, path, body):
    conn.request(method, path, json.dumps(body), HEADERS)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"{method} {path}: HTTP {r.status} {data[:200]!r}")
    return json.loads(data)


def work(start, step):
    conn = http.client.HTTPConnection(url.hostname, url.port)
    for i in range(start, N, step):
        doc = call(conn, "POST", "/api/v1/documents",
                   {"title": f"{KINDS[i % 5]} № {i}", "kind": KINDS[i % 5], "description": f"Документ номер {i}"})
        if RECIPIENT and K and i % K == 0:
            call(conn, "POST", f"/api/v1/documents/{doc['id']}/send",
                 {"to": [{"kind": "user", "id": RECIPIENT}], "comment": "На рассмотрение"})


threads = [threading.Thread(target=work, args=(k, 4)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
