# SPDX-License-Identifier: GPL-3.0-or-later
"""Generates the agreement test tables and their expected statistics.

Run with the Debian Python (python3-sklearn, python3-statsmodels):

    /usr/bin/python3 tests/data/agreement/make_expected.py

Writes, next to this script:
  - <table>.csv: long ratings tables (header item,rater,field,value), deterministic;
  - krippendorff_example.csv: Krippendorff's published reliability-data example;
  - expected.json: per table the levels and the expected report in the shape of
    dl::AgreementReport::toJson, computed with
      * percent agreement by hand (mean over items of sum n_c(n_c-1) / n(n-1)),
      * sklearn.metrics.cohen_kappa_score (unweighted, linear, quadratic),
      * statsmodels fleiss_kappa(aggregate_raters(...)[0], method='fleiss'),
      * the straightforward coincidence-matrix Krippendorff alpha below, in exact
        fractions;
    and the exact alpha values of the published example.
Only items with at least two ratings count. Ordinal and interval values are compared
as numbers (float(value)), nominal values as strings.
"""

import csv
import json
import math
import os
import random
import warnings
from fractions import Fraction

import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20241125


# --------------------------------------------------------------------------- reference

def krippendorff_alpha(units, level):
    """units: lists of values (numbers for ordinal / interval). Exact fractions."""
    units = [u for u in units if len(u) >= 2]
    values = sorted({v for u in units for v in u})
    if not values:
        return None
    index = {v: i for i, v in enumerate(values)}
    k = len(values)
    o = [[Fraction(0)] * k for _ in range(k)]
    for u in units:
        m = len(u)
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[index[u[i]]][index[u[j]]] += Fraction(1, m - 1)
    n_c = [sum(row) for row in o]
    n = sum(n_c)

    def delta2(c, e):
        if level == "nominal":
            return Fraction(0 if c == e else 1)
        if level == "interval":
            return (Fraction(values[c]) - Fraction(values[e])) ** 2
        lo, hi = min(c, e), max(c, e)
        s = sum(n_c[g] for g in range(lo, hi + 1)) - (n_c[c] + n_c[e]) / 2
        return s * s

    d = [[delta2(c, e) for e in range(k)] for c in range(k)]
    observed = sum(o[c][e] * d[c][e] for c in range(k) for e in range(k))
    expected = sum(n_c[c] * n_c[e] * d[c][e] for c in range(k) for e in range(k))
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def finite(x):
    x = float(x)
    return None if math.isnan(x) else x


def field_report(rows, field, level):
    """rows: (item, rater, value) of one field; empty values already dropped."""
    convert = (lambda v: v) if level == "nominal" else float
    by_item = {}
    for item, rater, value in rows:
        by_item.setdefault(item, {})[rater] = convert(value)
    units = {item: r for item, r in by_item.items() if len(r) >= 2}
    report = {"field": field, "level": level, "items": len(units)}

    shares = []
    for raters in units.values():
        vals = list(raters.values())
        n = len(vals)
        counts = {}
        for v in vals:
            counts[v] = counts.get(v, 0) + 1
        shares.append(sum(c * (c - 1) for c in counts.values()) / (n * (n - 1)))
    report["percent_agreement"] = sum(shares) / len(shares) if shares else None

    sizes = {len(r) for r in units.values()}
    if len(sizes) == 1:
        data = np.array([list(r.values()) for r in units.values()])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report["fleiss_kappa"] = finite(fleiss_kappa(aggregate_raters(data)[0], method="fleiss"))
    else:
        report["fleiss_kappa"] = None

    alpha = krippendorff_alpha([list(r.values()) for r in units.values()], level)
    report["krippendorff_alpha"] = None if alpha is None else float(alpha)

    raters = sorted({rater for r in units.values() for rater in r})
    pairs = []
    for i, a in enumerate(raters):
        for b in raters[i + 1:]:
            common = [item for item, r in units.items() if a in r and b in r]
            if not common:
                continue
            y1 = [units[item][a] for item in common]
            y2 = [units[item][b] for item in common]
            pair = {"rater_a": a, "rater_b": b, "items": len(common)}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pair["cohen_kappa"] = finite(cohen_kappa_score(y1, y2))
                if level != "nominal":
                    pair["cohen_kappa_linear"] = finite(cohen_kappa_score(y1, y2, weights="linear"))
                    pair["cohen_kappa_quadratic"] = finite(cohen_kappa_score(y1, y2, weights="quadratic"))
            pairs.append(pair)
    report["pairs"] = pairs
    return report


def table_report(rows, levels):
    fields = sorted({r[2] for r in rows})
    return {"fields": [field_report([(i, r, v) for i, r, f, v in rows if f == field and v != ""],
                                    field, levels.get(field, "nominal"))
                       for field in fields]}


# --------------------------------------------------------------------------- tables

def noisy_nominal(rng, truth, categories, accuracy):
    return truth if rng.random() < accuracy else rng.choice(categories)


def noisy_ordinal(rng, truth, levels, accuracy):
    if rng.random() < accuracy:
        return truth
    i = levels.index(truth) + rng.choice([-2, -1, -1, 1, 1, 2])
    return levels[min(max(i, 0), len(levels) - 1)]


def table_full_panel(rng):
    """Every item rated by the same 4 raters: nominal (6 labels, some with a comma or
    quote), two categories, and a rater who always answers 'no'."""
    raters = ["derm_b", "Zoe", "adam", "derm_a"]
    labels = ["Eczema", "Psoriasis", "Tinea, corporis", 'Naevus "blue"', "Acne", "Urticaria"]
    accuracy = {"derm_b": 0.8, "Zoe": 0.6, "adam": 0.7, "derm_a": 0.5}
    rows = []
    for k in range(90):
        item = "case_%03d" % (k + 1)
        truth = rng.choice(labels)
        gradable = "yes" if rng.random() < 0.7 else "no"
        sensitive = "yes" if rng.random() < 0.2 else "no"
        for r in raters:
            rows.append((item, r, "condition", noisy_nominal(rng, truth, labels, accuracy[r])))
            rows.append((item, r, "gradable", noisy_nominal(rng, gradable, ["yes", "no"], accuracy[r])))
            value = "no" if r == "adam" else noisy_nominal(rng, sensitive, ["yes", "no"], accuracy[r])
            rows.append((item, r, "sensitive", value))
    return rows, {}


def table_unequal(rng):
    """2-5 of 6 raters per item, some items with one rating, missing (empty) values;
    ordinal Fitzpatrick with an unused level (gaps), Monk 1-10 as interval with some
    values written as '3.0', and a nominal field."""
    raters = ["r%02d" % i for i in (3, 11, 1, 7, 20, 2)]
    fst = ["1", "2", "3", "5", "6"]  # 4 is never used
    monk = [str(i) for i in range(1, 11)]
    shots = ["CLOSE_UP", "AT_AN_ANGLE", "AT_DISTANCE"]
    accuracy = dict(zip(raters, [0.85, 0.7, 0.6, 0.75, 0.5, 0.65]))
    rows = []
    for k in range(150):
        item = "img%d" % (k + 1)
        count = 1 if k % 25 == 0 else rng.randint(2, 5)
        chosen = rng.sample(raters, count)
        t_fst = rng.choice(fst)
        t_monk = rng.choice(monk)
        t_shot = rng.choice(shots)
        for r in chosen:
            v = noisy_ordinal(rng, t_fst, fst, accuracy[r])
            rows.append((item, r, "fitzpatrick", v))
            v = noisy_ordinal(rng, t_monk, monk, accuracy[r])
            if r == "r11" and rng.random() < 0.5:
                v = v + ".0"
            rows.append((item, r, "monk", v))
            v = noisy_nominal(rng, t_shot, shots, accuracy[r])
            rows.append((item, r, "shot", "" if rng.random() < 0.05 else v))
    return rows, {"fitzpatrick": "ordinal", "monk": "interval"}


def table_many_categories(rng):
    """120 categories, 3 of 8 raters per item (equal counts, Fleiss defined), plus an
    ordinal 6-level field rated by the same raters."""
    raters = ["rater_%d" % i for i in range(8)]
    labels = ["cond_%03d" % i for i in range(120)]
    levels = [str(i) for i in range(1, 7)]
    rows = []
    for k in range(500):
        item = "x%04d" % k
        truth = labels[min(int(rng.expovariate(1 / 25.0)), len(labels) - 1)]
        t_sev = rng.choice(levels)
        for r in rng.sample(raters, 3):
            rows.append((item, r, "diagnosis", noisy_nominal(rng, truth, labels, 0.6)))
            rows.append((item, r, "severity", noisy_ordinal(rng, t_sev, levels, 0.6)))
    return rows, {"severity": "ordinal"}


def table_degenerate(rng):
    """Kappa undefined for a pair that agrees on a single label; one category overall;
    only single ratings; a constant ordinal pair."""
    rows = []
    for k in range(30):
        item = "d%02d" % k
        rows.append((item, "A", "constant_pair", "no"))
        rows.append((item, "B", "constant_pair", "no"))
        rows.append((item, "C", "constant_pair", rng.choice(["yes", "no"])))
        for r in ("A", "B", "C"):
            rows.append((item, r, "one_category", "yes"))
        rows.append((item, "ABC"[k % 3], "single", rng.choice(["p", "q"])))
        rows.append((item, "A", "ordinal_constant", "2"))
        rows.append((item, "B", "ordinal_constant", "2"))
        rows.append((item, "C", "ordinal_constant", rng.choice(["1", "2", "3"])))
    return rows, {"ordinal_constant": "ordinal"}


KRIPPENDORFF = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def write_csv(name, rows):
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["item", "rater", "field", "value"])
        w.writerows(rows)


def main():
    rng = random.Random(SEED)
    expected = {"seed": SEED, "tables": []}
    for name, make in [("full_panel", table_full_panel), ("unequal_counts", table_unequal),
                       ("many_categories", table_many_categories), ("degenerate", table_degenerate)]:
        rows, levels = make(rng)
        rows = rows[:]
        rng.shuffle(rows)  # the reader must not depend on row order
        write_csv(name + ".csv", rows)
        expected["tables"].append({"file": name + ".csv", "levels": levels,
                                   "report": table_report(rows, levels)})

    rows = []
    for rater, line in KRIPPENDORFF.items():
        for unit, value in enumerate(line.split(), start=1):
            rows.append(("u%02d" % unit, rater, "example", "" if value == "." else value))
    write_csv("krippendorff_example.csv", rows)
    units = {}
    for unit, rater, _, value in rows:
        if value:
            units.setdefault(unit, []).append(int(value))
    exact = {level: float(krippendorff_alpha(list(units.values()), level))
             for level in ("nominal", "ordinal", "interval")}
    expected["krippendorff_example"] = {"file": "krippendorff_example.csv", "field": "example",
                                        "alpha": exact}

    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=False)
        f.write("\n")
    print("published example:", {k: round(v, 3) for k, v in exact.items()})


if __name__ == "__main__":
    main()
