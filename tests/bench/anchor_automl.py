"""Anchors for bench_automl: xgboost and scikit-learn's HistGradientBoosting with default
parameters on the same held-out split as `cairn automl`.

  anchor_automl.py TRAIN_CSV TEST_CSV TARGET TASK THREADS
      -> {"xgboost": score, "hgb": score, "xgboost_s": seconds, "hgb_s": seconds, "rows": n}

TASK is binary, multiclass or regression; the score is accuracy for classification and R² for
regression, on the test rows. Encoding is deliberately simple: every non-numeric column becomes
its pandas category codes (categories from the training rows; unseen values and missing values
become NaN, which both libraries handle natively); numeric columns stay as they are.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, r2_score


def encode(train, test):
    train, test = train.copy(), test.copy()
    for column in train.columns:
        if pd.api.types.is_numeric_dtype(train[column]) and pd.api.types.is_numeric_dtype(test[column]):
            continue
        categories = pd.Categorical(train[column].astype("string")).categories
        for frame in (train, test):
            codes = pd.Categorical(frame[column].astype("string"), categories=categories).codes.astype(np.float64)
            codes[codes < 0] = np.nan
            frame[column] = codes
    return train.astype(np.float64), test.astype(np.float64)


def main():
    train_path, test_path, target, task, threads = sys.argv[1:6]
    threads = int(threads)
    train = pd.read_csv(train_path)
    test = pd.read_csv(test_path)
    train = train[train[target].notna()]
    test = test[test[target].notna()]
    y_train, y_test = train.pop(target), test.pop(target)
    x_train, x_test = encode(train, test)

    result = {"rows": int(len(y_test))}
    if task == "regression":
        models = {"xgboost": xgb.XGBRegressor(n_jobs=threads, random_state=42),
                  "hgb": HistGradientBoostingRegressor(random_state=42)}
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(x_train, y_train.to_numpy(dtype=np.float64))
            result[name] = float(r2_score(y_test.to_numpy(dtype=np.float64), model.predict(x_test)))
            result[name + "_s"] = time.perf_counter() - start
    else:
        # Class labels as text, so 0/1, "yes"/"no" and True/False compare alike.
        classes = sorted(y_train.astype(str).unique())
        index = {c: i for i, c in enumerate(classes)}
        labels_train = y_train.astype(str).map(index).to_numpy()
        labels_test = y_test.astype(str).map(index).fillna(-1).to_numpy()
        models = {"xgboost": xgb.XGBClassifier(n_jobs=threads, random_state=42),
                  "hgb": HistGradientBoostingClassifier(random_state=42)}
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(x_train, labels_train)
            result[name] = float(accuracy_score(labels_test, model.predict(x_test)))
            result[name + "_s"] = time.perf_counter() - start
    print(json.dumps(result))


if __name__ == "__main__":
    main()
