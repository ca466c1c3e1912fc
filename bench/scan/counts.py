#!/usr/bin/env python3
"""Reads one tool's output and prints its violation counts per check id as JSON.

usage: counts.py TOOL OUTPUT_FILE
TOOL: expected (gen_plan sidecar), regorus, checkov, kcvs.
"""
import json
import sys

CHECKS = ["residency", "encryption-at-rest", "dedicated-tenancy", "audit-logging"]
CHECKOV_IDS = {
    "CKV_KCVS_1": "residency",
    "CKV_KCVS_2": "encryption-at-rest",
    "CKV_KCVS_3": "dedicated-tenancy",
    "CKV_KCVS_4": "audit-logging",
}


def expected(doc):
    return doc["violations"]


def regorus(doc):
    return doc


def checkov(doc):
    # One framework gives an object, several a list of them.
    reports = doc if isinstance(doc, list) else [doc]
    counts = {c: 0 for c in CHECKS}
    for report in reports:
        if report.get("check_type") != "terraform_plan":
            continue
        for result in report.get("results", {}).get("failed_checks", []):
            check = CHECKOV_IDS.get(result.get("check_id"))
            if check:
                counts[check] += 1
    return counts


def kcvs(doc):
    # Assumed shape: {"findings": [{"check": ID, "status": "fail"|"pass"|"unknown", ...}, ...]}
    findings = doc["findings"] if isinstance(doc, dict) else doc
    counts = {c: 0 for c in CHECKS}
    for f in findings:
        if f.get("status") == "fail" and f.get("check") in counts:
            counts[f["check"]] += 1
    return counts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tool, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    counts = {"expected": expected, "regorus": regorus, "checkov": checkov, "kcvs": kcvs}[tool](doc)
    print(json.dumps({c: int(counts.get(c, 0)) for c in CHECKS}, sort_keys=True))


if __name__ == "__main__":
    main()
