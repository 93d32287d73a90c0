"""Anchors for bench_csvxgboost: pandas.read_csv and the xgboost Python package.

  anchor_xgboost.py read CSV                 -> {"read_s": best of 3}
  anchor_xgboost.py train CSV THREADS ROUNDS -> {"total_s", "read_s", "train_s", "r2"}

The train path does what `cairn train` does: read, one-hot encode the categorical columns, hold
out a seeded 20% for validation, train with train+validation metrics (mae, rmse) per round,
score the validation set and save the model as JSON.
"""
import json
import sys
import tempfile
import time

import numpy as np
import pandas as pd
import xgboost as xgb


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "read":
        best = min(_timed(lambda: pd.read_csv(path)) for _ in range(3))
        print(json.dumps({"read_s": best}))
        return
    threads, rounds = int(sys.argv[3]), int(sys.argv[4])
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t_read = time.perf_counter() - t0
    y = df.pop("price").to_numpy(dtype=np.float32)
    x = pd.get_dummies(df, columns=["cut", "color", "clarity"], dtype=np.float32).to_numpy(dtype=np.float32)
    rng = np.random.default_rng(42)
    idx = rng.permutation(len(y))
    nval = int(round(0.2 * len(y)))
    val, tr = idx[:nval], idx[nval:]
    dtrain = xgb.DMatrix(x[tr], label=y[tr], nthread=threads)
    dval = xgb.DMatrix(x[val], label=y[val], nthread=threads)
    t1 = time.perf_counter()
    params = {"objective": "reg:squarederror", "eta": 0.3, "max_depth": 6, "tree_method": "hist",
              "nthread": threads, "eval_metric": ["mae", "rmse"], "seed": 42}
    booster = xgb.train(params, dtrain, rounds, evals=[(dtrain, "train"), (dval, "validation")], verbose_eval=False)
    pred = booster.predict(dval)
    r2 = 1 - np.sum((pred - y[val]) ** 2) / np.sum((y[val] - y[val].mean()) ** 2)
    with tempfile.TemporaryDirectory() as d:
        booster.save_model(d + "/model.json")
    t_train = time.perf_counter() - t1
    print(json.dumps({"total_s": time.perf_counter() - t0, "read_s": t_read, "train_s": t_train, "r2": float(r2)}))


def _timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
