#!/usr/bin/env bash
# The Helm chart, offline (issue 15): rendered by Helm's engine (helm-python-sdk) for the
# default values and every example, each object validated against the Kubernetes
# schemas of the two newest versions kubernetes-validate knows (strict: no unknown
# fields), YAML linted, and policy-scanned by checkov; the checks skipped are justified
# in deploy/helm/svitok/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SVITOK_VENV:-$HOME/.cache/svitok-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import helm_python" 2>/dev/null && [ -x "$venv/bin/kubernetes-validate" ] \
  && [ -x "$venv/bin/yamllint" ] && [ -x "$venv/bin/checkov" ] \
  || "$venv/bin/pip" install -q "helm-python-sdk>=0.2,<0.3" "kubernetes-validate>=1.37,<2" "yamllint>=1.35,<2" "checkov>=3,<4"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$venv/bin/python" scripts/check-helm.py "$out"
versions=$(ls "$("$venv/bin/python" -c 'import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))')/kubernetes-json-schema" \
  | sed -n 's/^v\([0-9.]*\)-local-strict$/\1/p' | sort -V | tail -2)
for v in $versions; do
  "$venv/bin/kubernetes-validate" --strict --quiet -k "$v" "$out"/*/*.yaml
  echo "check-helm: every object is valid Kubernetes $v (strict)"
done
"$venv/bin/yamllint" -d "{extends: default, rules: {line-length: {max: 160}, document-start: disable, comments: {min-spaces-from-content: 1}}}" \
  "$out" deploy/helm/svitok/values.yaml deploy/helm/svitok/examples deploy/helm/examples
echo "check-helm: yamllint clean"
"$venv/bin/checkov" -d "$out" --framework kubernetes --compact --quiet --skip-download \
  --skip-check CKV_K8S_43,CKV_K8S_35,CKV_K8S_15
echo "check-helm: checkov clean (skips justified in deploy/helm/svitok/README.md)"
