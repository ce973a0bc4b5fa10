#!/usr/bin/env python3
"""Check hand-labels.csv against the published files and the ProClass vocabulary.

Every row must be findable from source_file + line (header = line 1), with the supplier,
expense type (| service area) and net amount exactly as published; level1 must be a
prefix from proclass-level1.csv or `out-of-scope`; a code, when given, must be in
proclass.csv and start with level1. Also prints the counts used in README.md.

Usage: python3 benches/classification/check_labels.py [DATA_DIR]   (default ../shared/data)
"""
import collections
import csv
import os
import sys
from decimal import Decimal

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "..", "shared", "data")

prefixes = {r["prefix"] for r in csv.DictReader(open(os.path.join(data, "vocab/proclass-level1.csv")))}
codes = {r["code"] for r in csv.DictReader(open(os.path.join(data, "vocab/proclass.csv")))}
cache = {}


def source(rel):
    if rel not in cache:
        with open(os.path.join(data, rel), newline="", encoding="utf-8") as fh:
            cache[rel] = list(csv.reader(fh))
    return cache[rel]


labels = list(csv.DictReader(open(os.path.join(here, "hand-labels.csv"), newline="", encoding="utf-8")))
errors, seen = [], set()
for n, r in enumerate(labels, start=2):
    recs = source(r["source_file"])
    header = {h.strip(): i for i, h in enumerate(recs[0])}
    rec = recs[int(r["line"]) - 1]
    if r["council"] == "manchester":
        want = (rec[header["Supplier Name"]], f"{rec[header['Expenses Type']]} | {rec[header['Service Area']]}", rec[header["Net Amount"]])
    else:
        want = (rec[header["Vendor Name"]], f"{rec[header['GL Description']]} | {rec[header['Service Area']]}", rec[header["Net"]])
    got = (r["supplier_name"], r["expense_type"], r["amount"])
    if got != want:
        errors.append(f"hand-labels.csv:{n}: {got} != source {want}")
    key = (r["source_file"], r["line"])
    if key in seen:
        errors.append(f"hand-labels.csv:{n}: duplicate row {key}")
    seen.add(key)
    if r["level1"] != "out-of-scope" and r["level1"] not in prefixes:
        errors.append(f"hand-labels.csv:{n}: unknown level1 {r['level1']}")
    if r["code"] and (r["code"] not in codes or r["code"][:2] != r["level1"]):
        errors.append(f"hand-labels.csv:{n}: bad code {r['code']} for level1 {r['level1']}")
    if r["confidence"] not in ("high", "medium", "low") or r["selection"] not in ("largest", "random", "largest-supplier"):
        errors.append(f"hand-labels.csv:{n}: bad confidence/selection")

for e in errors:
    print(e)
print(f"{len(labels)} rows checked, {len(errors)} errors")

count = collections.Counter
print("rows by council/selection:", dict(count((r["council"], r["selection"]) for r in labels)))
print("rows by label:", dict(sorted(count(r["level1"] for r in labels).items())))
print("rows by confidence:", dict(count(r["confidence"] for r in labels)))
for council in ("manchester", "salford"):
    for sel in ("largest", "random", "largest-supplier", None):
        rows = [r for r in labels if r["council"] == council and (sel is None or r["selection"] == sel)]
        total = sum(Decimal(r["amount"]) for r in rows)
        oos = sum(Decimal(r["amount"]) for r in rows if r["level1"] == "out-of-scope")
        print(f"{council:10} {sel or 'all':16} rows {len(rows):3}  value {total:16,.2f}  out-of-scope by value {oos / total:6.1%}  by rows {sum(r['level1'] == 'out-of-scope' for r in rows)}/{len(rows)}")
sys.exit(1 if errors else 0)
