#!/usr/bin/python3
"""Trains scikit-learn models on the Titanic passengers and logs each one as a Cairn run.

    /usr/bin/python3 train_titanic.py [--workspace DIR] [--experiment NAME] [--quick]

Logistic regression, random forests and gradient boosting over a few hyperparameters, with
learning curves (per tree / per boosting stage), validation metrics, a confusion matrix and
feature importances as artifacts.
"""

import argparse
import csv
import json
import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
try:
    import cairn
except ImportError:  # run from a source tree before scripts/setup
    import sys
    sys.path.insert(0, str(HERE.parent / "python"))
    import cairn

TITLES = ["Mr", "Mrs", "Miss", "Master", "Rare"]


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ages = [float(r["age"]) for r in rows if r["age"]]
    median_age = float(np.median(ages))
    features, target = [], []
    for r in rows:
        title = re.search(r",\s*([^.]+)\.", r["name"])
        title = title.group(1).strip() if title else ""
        title = {"Mlle": "Miss", "Ms": "Miss", "Mme": "Mrs"}.get(title, title)
        title = title if title in TITLES else "Rare"
        age_missing = r["age"] == ""
        age = median_age if age_missing else float(r["age"])
        cls = r["passengerClass"]
        features.append([
            1.0 if r["sex"] == "female" else 0.0,
            age,
            1.0 if age_missing else 0.0,
            1.0 if cls == "1st" else 0.0,
            1.0 if cls == "2nd" else 0.0,
            1.0 if cls == "3rd" else 0.0,
        ] + [1.0 if title == t else 0.0 for t in TITLES])
        target.append(1 if r["survived"] == "yes" else 0)
    names = ["sex_female", "age", "age_missing", "class_1st", "class_2nd", "class_3rd"] + ["title_" + t for t in TITLES]
    return np.array(features), np.array(target), names


def evaluate(model, x, y, prefix):
    proba = model.predict_proba(x)[:, 1]
    pred = (proba >= 0.5).astype(int)
    return {
        prefix + "accuracy": accuracy_score(y, pred),
        prefix + "auc": roc_auc_score(y, proba),
        prefix + "f1": f1_score(y, pred),
        prefix + "log_loss": log_loss(y, proba),
    }


def log_artifacts(run, model, x_val, y_val, names):
    with tempfile.TemporaryDirectory() as tmp:
        cm = confusion_matrix(y_val, model.predict(x_val))
        path = Path(tmp) / "confusion_matrix.csv"
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["actual \\ predicted", "died", "survived"])
            w.writerow(["died"] + list(map(int, cm[0])))
            w.writerow(["survived"] + list(map(int, cm[1])))
        run.log_artifact(str(path))
        importances = getattr(model, "feature_importances_", None)
        if importances is None and hasattr(model, "coef_"):
            importances = np.abs(model.coef_[0])
        if importances is not None:
            path = Path(tmp) / "feature_importance.json"
            ranked = sorted(zip(names, map(float, importances)), key=lambda p: -p[1])
            path.write_text(json.dumps(dict(ranked), indent=2))
            run.log_artifact(str(path))


def train(name, make_model, params, data, experiment, curve=None):
    x_train, x_val, y_train, y_val, names = data
    with cairn.start_run(experiment=experiment, run_name=name, tags={"dataset": "titanic", "family": params["model"]}) as run:
        cairn.log_params(params)
        cairn.log_params({"train_rows": len(y_train), "validation_rows": len(y_val), "features": len(names)})
        start = time.perf_counter()
        model = make_model()
        if curve:
            curve(model, run)
        else:
            model.fit(x_train, y_train)
        cairn.log_metric("fit_time_s", time.perf_counter() - start)
        cairn.log_metrics(evaluate(model, x_train, y_train, "train_"))
        cairn.log_metrics(evaluate(model, x_val, y_val, "val_"))
        log_artifacts(run, model, x_val, y_val, names)
        print("%-24s val_accuracy=%.4f val_auc=%.4f" % (name, accuracy_score(y_val, model.predict(x_val)),
                                                          roc_auc_score(y_val, model.predict_proba(x_val)[:, 1])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", help="workspace folder (default: $CAIRN_WORKSPACE or ~/CairnWorkspace)")
    parser.add_argument("--experiment", default="titanic-sample")
    parser.add_argument("--data", default=str(HERE / "titanic.csv"))
    parser.add_argument("--quick", action="store_true", help="fewer models, for tests")
    args = parser.parse_args()
    if args.workspace:
        cairn.set_workspace(args.workspace)

    x, y, names = load(args.data)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=42, stratify=y)
    data = (x_train, x_val, y_train, y_val, names)

    for c in ([1.0] if args.quick else [0.1, 1.0, 10.0]):
        train("logreg-C%g" % c, lambda: LogisticRegression(C=c, max_iter=1000),
              {"model": "logistic_regression", "C": c, "penalty": "l2"}, data, args.experiment)

    def forest_curve(model, run):
        # Grow the forest 10 trees at a time and log validation quality as it grows.
        for step, n in enumerate(range(10, model.n_estimators + 1, 10)):
            model.set_params(n_estimators=n, warm_start=True)
            model.fit(x_train, y_train)
            run.log_metrics(evaluate(model, x_val, y_val, "val_"), step=n)

    for depth in ([4] if args.quick else [3, 5, 8]):
        train("forest-depth%d" % depth,
              lambda: RandomForestClassifier(n_estimators=150, max_depth=depth, random_state=7, n_jobs=1),
              {"model": "random_forest", "n_estimators": 150, "max_depth": depth, "criterion": "gini"},
              data, args.experiment, curve=forest_curve)

    def boosting_curve(model, run):
        model.fit(x_train, y_train)
        for stage, (p_train, p_val) in enumerate(zip(model.staged_predict_proba(x_train), model.staged_predict_proba(x_val))):
            run.log_metrics({"train_log_loss": log_loss(y_train, p_train[:, 1]),
                             "val_log_loss": log_loss(y_val, p_val[:, 1]),
                             "val_accuracy": accuracy_score(y_val, (p_val[:, 1] >= 0.5).astype(int))}, step=stage + 1)

    for lr in ([0.1] if args.quick else [0.03, 0.1, 0.3]):
        train("boosting-lr%g" % lr,
              lambda: GradientBoostingClassifier(learning_rate=lr, n_estimators=120, max_depth=3, subsample=0.8, random_state=7),
              {"model": "gradient_boosting", "learning_rate": lr, "n_estimators": 120, "max_depth": 3, "subsample": 0.8},
              data, args.experiment, curve=boosting_curve)


if __name__ == "__main__":
    main()
