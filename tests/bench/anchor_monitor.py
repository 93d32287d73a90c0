"""Anchor for bench_monitor: the same drift report in pandas + scipy, as Evidently computes it.

  anchor_monitor.py generate ROWS DIR     writes DIR/reference.csv and DIR/current.csv
                                          (25 numeric and 25 categorical columns; numeric
                                          columns n0-n4 and categorical c0-c2 are shifted)
  anchor_monitor.py drift REF CUR         -> {"read_s", "drift_s", "drifted": [...]}

Per column, as Evidently does for a reference of more than 1,000 rows: the number of distinct
values of both, the normed Wasserstein distance (numeric) or the Jensen-Shannon distance on
value shares (categorical), threshold 0.1, and PSI on the same bins (Sturges bins for numeric
columns with more than 20 values).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def generate(rows, out):
    rng = np.random.default_rng(18)
    for name, shift in (("reference", False), ("current", True)):
        cols = {}
        for i in range(25):
            scale = 1 + i
            x = rng.normal(10 * i, scale, rows)
            if shift and i < 5:
                x = x + 0.3 * scale
            if i % 3 == 0:
                x = np.round(x)
            cols[f"n{i}"] = x
        for i in range(25):
            k = 5 + 2 * i
            p = np.ones(k) / k
            if shift and i < 3:
                p = np.linspace(1, 5, k)
                p = p / p.sum()
            cols[f"c{i}"] = np.array([f"v{j}" for j in range(k)])[rng.choice(k, rows, p=p)]
        pd.DataFrame(cols).to_csv(f"{out}/{name}.csv", index=False, float_format="%.6g")


def binned(ref, cur, numeric):
    if numeric and ref.nunique() > 20:
        bins = np.histogram_bin_edges(pd.concat([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list((set(ref) | set(cur)) - {np.nan})
        rv, cv = ref.value_counts(), cur.value_counts()
        r = np.array([rv.get(k, 0) / len(ref) for k in keys])
        c = np.array([cv.get(k, 0) / len(cur) for k in keys])
    return r, c


def psi(r, c):
    r = np.where(r == 0, 0.0001, r)
    c = np.where(c == 0, 0.0001, c)
    return float(np.sum((r - c) * np.log(r / c)))


def drift(ref_path, cur_path):
    t = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    drifted = []
    for col in ref.columns:
        r = ref[col].dropna()
        c = cur[col].dropna()
        numeric = pd.api.types.is_numeric_dtype(r)
        n_values = pd.concat([r, c]).nunique()
        rp, cp = binned(r, c, numeric)
        psi(rp, cp)
        if numeric and n_values > 5:
            value = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
        else:
            value = distance.jensenshannon(rp, cp)
        if value >= 0.1:
            drifted.append(col)
    drift_s = time.perf_counter() - t
    print(json.dumps({"read_s": read_s, "drift_s": drift_s, "drifted": drifted}))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3])
    else:
        drift(sys.argv[2], sys.argv[3])
