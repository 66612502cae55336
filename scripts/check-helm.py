#!/usr/bin/env python3
"""Renders deploy/helm/svitok offline with Helm's own engine (helm-python-sdk) for the
default values and each examples/*.yaml, checks the values against the chart's
values.schema.json, lints the chart, and writes every rendered object to OUT/<values>/ for
kubernetes-validate, yamllint and checkov (scripts/check-helm.sh)."""

import pathlib
import sys

import helm_python as helm

root = pathlib.Path(__file__).resolve().parent.parent
chart_dir = root / "deploy/helm/svitok"
out = pathlib.Path(sys.argv[1])
chart = helm.Chart.load(str(chart_dir))

sets = {"default": {}}
for f in sorted((chart_dir / "examples").glob("*.yaml")):
    sets[f.stem] = helm.values_from_yaml(f.read_text())

for name, values in sets.items():
    merged = chart.merge_values(values)
    chart.validate_schema(values)
    rendered = chart.render(values, name="edo", namespace="svitok", is_install=True)
    target = out / name
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for path, text in rendered.items():
        if not path.endswith(".yaml") or not text.strip():
            continue
        (target / pathlib.Path(path).name).write_text(text)
        count += 1
    print(f"check-helm: {name}: {count} objects rendered")

# A bad value is refused by the schema (a config key that is not SVITOK_*).
try:
    chart.validate_schema({"config": {"PUBLIC_URL": "x"}})
except helm.HelmError as e:
    print("check-helm: the schema refuses a bad value:", str(e).splitlines()[0][:100])
else:
    sys.exit("check-helm: values.schema.json took a value it must refuse")

report = helm.lint(str(chart_dir))
if report.get("errors"):
    sys.exit(f"check-helm: helm lint: {report['errors']}")
print("check-helm: helm lint:", [m["error"] for m in report.get("messages", [])] or "clean")
