# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python reference timing for bench_agreement: the same statistics on the same CSV
with scikit-learn (Cohen's kappa), statsmodels (Fleiss' kappa), and numpy / scipy
(percent agreement, Krippendorff's alpha from the coincidence matrix).

    bench_agreement --write /tmp/ratings.csv --json /tmp/report.json
    /usr/bin/python3 tests/bench/agreement/bench_agreement.py /tmp/ratings.csv \
        --ordinal severity --compare /tmp/report.json

Prints the time of all statistics (without bootstrap, median of --runs runs; reading the
CSV is timed separately) and, with --compare, the largest difference from the C++ report.
"""

import argparse
import json
import math
import statistics
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa


def alpha_from_counts(counts, m, level, values):
    """counts: sparse units x categories; m: ratings per unit; values: sorted category values."""
    inv = sp.diags(1.0 / (m - 1))
    o = (counts.T @ inv @ counts).toarray() - np.diag(np.asarray(counts.T @ (1.0 / (m - 1))).ravel())
    n_c = o.sum(axis=1)
    n = n_c.sum()
    k = len(n_c)
    if level == "nominal":
        d = 1.0 - np.eye(k)
    elif level == "interval":
        x = np.asarray(values, dtype=float)
        d = (x[:, None] - x[None, :]) ** 2
    else:
        cum = np.cumsum(n_c)
        mid = cum - n_c / 2.0
        d = (mid[:, None] - mid[None, :]) ** 2
    expected = (np.outer(n_c, n_c) * d).sum()
    if expected == 0:
        return None
    return 1.0 - (n - 1) * (o * d).sum() / expected


def field_stats(df, level):
    df = df.copy()
    if level != "nominal":
        df["value"] = df["value"].astype(float)
    m_all = df.groupby("item")["rater"].transform("size")
    df = df[m_all >= 2]
    items = pd.Categorical(df["item"])
    cats = pd.Categorical(df["value"])  # categories sorted (numerically for numbers)
    unit = items.codes
    code = cats.codes
    u_count = len(items.categories)
    counts = sp.csr_matrix((np.ones(len(df)), (unit, code)), shape=(u_count, len(cats.categories)))
    m = np.asarray(counts.sum(axis=1)).ravel()
    agree = np.asarray(counts.multiply(counts).sum(axis=1)).ravel() - m
    result = {"field": None, "level": level, "items": int(u_count),
              "percent_agreement": float(np.mean(agree / (m * (m - 1)))) if u_count else None}

    if u_count and m.min() == m.max():
        order = np.argsort(unit, kind="stable")
        data = df["value"].to_numpy()[order].reshape(u_count, int(m[0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kappa = fleiss_kappa(aggregate_raters(data)[0], method="fleiss")
        result["fleiss_kappa"] = None if math.isnan(kappa) else float(kappa)
    else:
        result["fleiss_kappa"] = None
    alpha = alpha_from_counts(counts, m, level, list(cats.categories)) if u_count else None
    result["krippendorff_alpha"] = None if alpha is None else float(alpha)

    pairs = df[["item", "rater", "value"]].merge(df[["item", "rater", "value"]], on="item")
    pairs = pairs[pairs["rater_x"] < pairs["rater_y"]]
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for (a, b), g in pairs.groupby(["rater_x", "rater_y"], sort=True):
            y1 = g["value_x"].to_numpy()
            y2 = g["value_y"].to_numpy()
            p = {"rater_a": a, "rater_b": b, "items": len(g), "cohen_kappa": cohen_kappa_score(y1, y2)}
            if level != "nominal":
                p["cohen_kappa_linear"] = cohen_kappa_score(y1, y2, weights="linear")
                p["cohen_kappa_quadratic"] = cohen_kappa_score(y1, y2, weights="quadratic")
            for key in list(p):
                if isinstance(p[key], float) and math.isnan(p[key]):
                    p[key] = None
            out.append(p)
    result["pairs"] = out
    return result


def compare(ours, theirs):
    worst = 0.0
    for a, b in zip(ours, theirs):
        for key in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha"):
            if (a[key] is None) != (b[key] is None):
                return math.inf
            if a[key] is not None:
                worst = max(worst, abs(a[key] - b[key]))
        if len(a["pairs"]) != len(b["pairs"]):
            return math.inf
        for p, q in zip(a["pairs"], b["pairs"]):
            for key in ("cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic"):
                if key in p:
                    if (p[key] is None) != (q.get(key) is None):
                        return math.inf
                    if p[key] is not None:
                        worst = max(worst, abs(float(p[key]) - q[key]))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ratings")
    parser.add_argument("--ordinal", action="append", default=[], help="an ordinal field")
    parser.add_argument("--interval", action="append", default=[], help="an interval field")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", help="the C++ report (bench_agreement --json)")
    args = parser.parse_args()

    start = time.perf_counter()
    df = pd.read_csv(args.ratings, dtype=str, keep_default_na=False)
    df = df[df["value"] != ""]
    print("read %s in %.0f ms" % (args.ratings, (time.perf_counter() - start) * 1e3))
    levels = {f: "ordinal" for f in args.ordinal}
    levels.update({f: "interval" for f in args.interval})

    times = []
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        report = []
        for field, group in sorted(df.groupby("field"), key=lambda g: g[0]):
            stats = field_stats(group, levels.get(field, "nominal"))
            stats["field"] = field
            report.append(stats)
        times.append((time.perf_counter() - start) * 1e3)
    for f in report:
        print("  %s: percent %.6f, fleiss %s, alpha %s, %d pairs"
              % (f["field"], f["percent_agreement"], f["fleiss_kappa"], f["krippendorff_alpha"], len(f["pairs"])))
    print("python (sklearn/statsmodels/numpy), all statistics without bootstrap: median %.0f ms over %d runs"
          % (statistics.median(times), len(times)))
    if args.compare:
        with open(args.compare, encoding="utf-8") as f:
            ours = json.load(f)["fields"]
        print("largest difference from %s: %.3g" % (args.compare, compare(ours, report)))


if __name__ == "__main__":
    main()
