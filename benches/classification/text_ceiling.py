#!/usr/bin/env python3
"""How far can Trafford's own words go? A ceiling for the hidden-label measurement (issue 11).

The hidden-label measurement (`cargo run --example classify_eval`) hides Trafford's published
ProClass codes for a supplier-disjoint half of its suppliers and asks the classifier for
them. With the supplier tier unable to copy codes across the halves, what is left is the
payment's own words: organisational unit, profit centre and purpose. This script trains a
multinomial naive Bayes classifier on exactly those fields of the visible half (counts
weighted per payment, add-0.1 smoothing) and scores its level-1 guesses on the hidden half by
value, both halves in turn, as the measurement does. It is not spendql's classifier: it is a
learner that sees everything the words hold, so its score bounds what rules over the same
words can reach. Run: python3 benches/classification/text_ceiling.py [DATA_DIR]
"""
import collections
import csv
import io
import math
import re
import sys
import zipfile
import zlib

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
archive = zipfile.ZipFile(f"{data}/real/trafford/trafford-supplier-spend-2024-25.zip")
name = [n for n in archive.namelist() if n.endswith(".csv")][0]
text = io.TextIOWrapper(archive.open(name), encoding="latin-1", newline="")

rows = []
for r in csv.DictReader(text):
    code = r["ProclassCode"].strip()
    if not re.fullmatch(r"\d{6}", code):
        continue
    try:
        value = abs(float(r["Amount"]))  # a score weight only, never money arithmetic
    except ValueError:
        continue
    supplier = re.sub(r"\s+", " ", r["BeneficiaryName"].strip().upper())
    rows.append((supplier, r["OrganisationalUnit"].strip().upper(), r["Purpose"], r["ProfitCentre"].strip(), code, value))


def words(t):
    return [w for w in re.split(r"[^a-z]+", t.lower()) if len(w) > 1][:6]


def features(row):
    _, unit, purpose, centre, _, _ = row
    return ["unit:" + unit, "centre:" + centre] + ["word:" + w for w in words(purpose)]


def half(supplier):
    return zlib.crc32(supplier.encode()) % 2


right = collections.Counter()
total = collections.Counter()
for hidden in (0, 1):
    train = [r for r in rows if half(r[0]) != hidden]
    test = [r for r in rows if half(r[0]) == hidden]
    prior = collections.Counter()
    counts = collections.defaultdict(collections.Counter)
    vocabulary = set()
    for r in train:
        group = r[4][:2]
        prior[group] += 1
        for f in features(r):
            counts[group][f] += 1
            vocabulary.add(f)
    sizes = {g: sum(c.values()) for g, c in counts.items()}
    n, v = sum(prior.values()), len(vocabulary)
    guesses = {}
    for r in test:
        key = tuple(features(r))
        if key not in guesses:
            guesses[key] = max(
                prior,
                key=lambda g: math.log(prior[g] / n)
                + sum(math.log((counts[g][f] + 0.1) / (sizes[g] + 0.1 * v)) for f in key),
            )
        gmca = "COMBINED AUTH" in r[0] or r[0].startswith("GMCA")
        for scope in ("all", "without GMCA") if not gmca else ("all",):
            total[scope] += r[5]
            if guesses[key] == r[4][:2]:
                right[scope] += r[5]

for scope in ("all", "without GMCA"):
    print(f"naive Bayes on unit, profit centre and purpose words, level-1 accuracy by value ({scope}): "
          f"{right[scope] / total[scope]:.3f} of £{total[scope] / 1e6:.1f}m")
