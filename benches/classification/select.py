#!/usr/bin/env python3
"""Select the Manchester and Salford payments to hand-label (spendql issue 11).

For each council, three strata (rows never repeat between them):
  largest           the 40 largest payments by net amount (ties: file, then line order);
  random            40 rows drawn with random.Random(2026).sample from all rows except
                    the largest 40 (population in file/line order);
  largest-supplier  the largest payment of each of the next 40 suppliers (name compared
                    case- and space-insensitively) that appear neither among the largest 40
                    nor in the random sample. Added because the largest 40 are almost all
                    levies, precepts and NHS transfers (a few suppliers): this stratum
                    tests the classifier on big in-scope spend from many suppliers.
Rows are read in a fixed order (files sorted by name, then line), so the selection is
reproducible.

Usage: python3 benches/classification/select.py [DATA_DIR]
DATA_DIR defaults to ../shared/data (relative to the repository root); prints CSV
(council, source_file, line, supplier_name, expense_type, amount, selection) to stdout.
The hand labels in hand-labels.csv were added to this output by hand.
"""
import csv
import glob
import os
import random
import sys
from decimal import Decimal

N_LARGEST = 40
N_RANDOM = 40
N_SUPPLIER = 40
SEED = 2026


def rows(data_dir, council):
    """Yield (source_file, line, supplier, expense_type, amount_text) in file/line order."""
    if council == "manchester":
        files = sorted(glob.glob(os.path.join(data_dir, "real/manchester/*.csv")))
    else:
        files = sorted(glob.glob(os.path.join(data_dir, "real/salford/20*.csv")))
    for path in files:
        rel = os.path.relpath(path, data_dir)
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            col = {name.strip(): i for i, name in enumerate(header)}
            for line, rec in enumerate(reader, start=2):  # header is line 1; no multi-line records
                if council == "manchester":
                    supplier = rec[col["Supplier Name"]]
                    expense = f"{rec[col['Expenses Type']]} | {rec[col['Service Area']]}"
                    amount = rec[col["Net Amount"]]
                else:
                    supplier = rec[col["Vendor Name"]]
                    expense = f"{rec[col['GL Description']]} | {rec[col['Service Area']]}"
                    amount = rec[col["Net"]]
                yield rel, line, supplier, expense, amount


def select(data_dir, council):
    all_rows = list(rows(data_dir, council))
    order = sorted(range(len(all_rows)), key=lambda i: (-Decimal(all_rows[i][4]), i))
    largest = order[:N_LARGEST]
    taken = set(largest)
    rest = [i for i in range(len(all_rows)) if i not in taken]
    sample = sorted(random.Random(SEED).sample(rest, N_RANDOM))
    taken |= set(sample)
    seen = {norm(all_rows[i][2]) for i in taken}
    by_supplier = []
    for i in order:
        name = norm(all_rows[i][2])
        if i in taken or name in seen:
            continue
        seen.add(name)
        by_supplier.append(i)
        if len(by_supplier) == N_SUPPLIER:
            break
    for i in largest:
        yield (council,) + all_rows[i] + ("largest",)
    for i in sample:
        yield (council,) + all_rows[i] + ("random",)
    for i in by_supplier:
        yield (council,) + all_rows[i] + ("largest-supplier",)


def norm(name):
    return " ".join(name.casefold().split())


def main():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "..", "shared", "data")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["council", "source_file", "line", "supplier_name", "expense_type", "amount", "selection"])
    for council in ("manchester", "salford"):
        for row in select(data_dir, council):
            out.writerow(row)


if __name__ == "__main__":
    main()
