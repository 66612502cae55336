#!/usr/bin/env python3
"""SECURITY 36: after the whole suite, no log line contains a secret the tests handled.

Each test process wrote its log (formatted as the server formats it) to <dir>/<pid>.log
and every password, code, token and TOTP secret it handled to <dir>/<pid>.secrets. A
secret counts as found when it stands in a line as a whole token (so a six-digit code
does not match inside a longer number)."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
# A filtered run (scripts/test.sh with arguments) may run no test that logs.
partial = "--partial" in sys.argv[2:]
secrets = set()
for f in root.glob("*.secrets"):
    secrets.update(s for s in f.read_text(encoding="utf-8", errors="replace").splitlines() if len(s) >= 6)
lines = 0
found = []
patterns = [(s, re.compile(r"(?<![0-9A-Za-z_])" + re.escape(s) + r"(?![0-9A-Za-z_])")) for s in secrets]
for f in sorted(root.glob("*.log")):
    for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        lines += 1
        for s, p in patterns:
            if p.search(line):
                found.append(f"{f.name}:{n}: a secret ({s[:4]}…) in: {line[:200]}")
print(f"scan-test-logs: {lines} log lines from {len(list(root.glob('*.log')))} test processes, "
      f"{len(secrets)} secrets handled by the tests")
if (lines == 0 or not secrets) and not partial:
    print("scan-test-logs: nothing to scan — the log capture is broken", file=sys.stderr)
    sys.exit(1)
if found:
    print("\n".join(found[:50]), file=sys.stderr)
    print(f"scan-test-logs: {len(found)} log lines carry secrets", file=sys.stderr)
    sys.exit(1)
print("scan-test-logs: no secret in any log line")
