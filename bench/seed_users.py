#!/usr/bin/env python3
"""Creates N users through the API (as an administrator), over 4 keep-alive connections.

Usage: seed_users.py BASE_URL TOKEN N
"""
import http.client
import json
import sys
import threading
import urllib.parse

BASE, TOKEN, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
LAST = ["Иванов", "Петрова", "Сидоров", "Смирнова", "Кузнецов", "Попова", "Волков", "Соколова"]
POS = ["Бухгалтер", "Юрист", "Специалист", "Инженер", "Делопроизводитель", None]
url = urllib.parse.urlparse(BASE)


def work(start, step):
    conn = http.client.HTTPConnection(url.hostname, url.port)
    for i in range(start, N, step):
        body = {"login": f"user{i:05d}", "email": f"user{i:05d}@example.ru",
                "last_name": LAST[i % len(LAST)], "first_name": f"Имя{i}", "position": POS[i % len(POS)]}
        conn.request("POST", "/api/v1/users", json.dumps(body),
                     {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            sys.exit(f"user {i}: HTTP {r.status}")


threads = [threading.Thread(target=work, args=(k, 4)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
