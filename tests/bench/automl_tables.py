"""The public tables of bench_automl, taken from Debian packages and written as CSV.

  automl_tables.py OUT_DIR  ->  OUT_DIR/<name>.csv and OUT_DIR/tables.json

tables.json lists, per table: the file, the target, the task, rows, and its provenance (the
Debian package and version, the file inside it, and where the data comes from). A package that
is not installed is fetched with `apt-get download` and unpacked into OUT_DIR/debs (nothing is
installed: weka would pull in a Java runtime, and Debian images may leave out /usr/share/doc,
where weka keeps its example data). Runs with /usr/bin/python3 (pandas).
"""
import csv
import json
import os
import subprocess
import sys

import pandas as pd

# name, package, path inside the package, target, task, origin, how the file is read
TABLES = [
    ("credit_g", "weka", "usr/share/doc/weka/examples/credit-g.arff", "class", "binary",
     "Statlog German credit (Hofmann, UCI), as shipped with Weka", "arff"),
    ("breast_cancer_ljubljana", "weka", "usr/share/doc/weka/examples/breast-cancer.arff", "Class", "binary",
     "Breast cancer recurrence, University Medical Centre Ljubljana (Zwitter & Soklic, UCI), as shipped with Weka", "arff"),
    ("soybean", "weka", "usr/share/doc/weka/examples/soybean.arff", "class", "multiclass",
     "Soybean disease diagnosis (Michalski, UCI large soybean), as shipped with Weka", "arff"),
    ("vote", "weka", "usr/share/doc/weka/examples/vote.arff", "Class", "binary",
     "1984 US Congressional voting records (Schlimmer, UCI), as shipped with Weka", "arff"),
    ("cpu_vendor", "weka", "usr/share/doc/weka/examples/cpu.with.vendor.arff", "class", "regression",
     "Relative CPU performance (Ein-Dor & Feldmesser, UCI), as shipped with Weka", "arff"),
    ("cars", "python3-vega-datasets", "usr/lib/python3/dist-packages/vega_datasets/_data/cars.json", "Miles_per_Gallon",
     "regression", "Auto MPG (Quinlan, UCI; StatLib), as shipped with vega-datasets", "json"),
    ("seattle_weather", "python3-vega-datasets", "usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv",
     "weather", "multiclass", "Seattle daily weather 2012-2015 (NOAA), as shipped with vega-datasets", "csv"),
    ("diabetes_progression", "python3-sklearn", "usr/lib/python3/dist-packages/sklearn/datasets/data/diabetes_data_raw.csv.gz",
     "progression", "regression", "Diabetes disease progression (Efron et al. 2004), as shipped with scikit-learn", "sklearn-diabetes"),
    ("fair", "python3-statsmodels", "usr/lib/python3/dist-packages/statsmodels/datasets/fair/fair.csv", "affairs",
     "regression", "Fair's extramarital affairs survey (Redbook 1974), as shipped with statsmodels", "csv"),
    ("randhie", "python3-statsmodels", "usr/lib/python3/dist-packages/statsmodels/datasets/randhie/randhie.csv", "mdvis",
     "regression", "RAND Health Insurance Experiment, doctor visits (Cameron & Trivedi), as shipped with statsmodels", "csv"),
]


def package_root(package, debs):
    """The folder that holds the package's files: / when installed with its data, else an unpacked .deb."""
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", package], capture_output=True, text=True)
    installed = status.returncode == 0 and status.stdout.startswith("install ok installed")
    version = status.stdout.split()[-1] if installed else None
    wanted = [path for _, p, path, *_ in TABLES if p == package]
    if installed and all(os.path.exists("/" + path) for path in wanted):
        return "/", version
    target = os.path.join(debs, package)
    if not all(os.path.exists(os.path.join(target, path)) for path in wanted):
        os.makedirs(debs, exist_ok=True)
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
        deb = sorted(f for f in os.listdir(debs) if f.startswith(package + "_") and f.endswith(".deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", deb, target], cwd=debs, check=True)
        with open(os.path.join(target, ".version"), "w") as f:
            f.write(subprocess.run(["dpkg-deb", "-f", deb, "Version"], cwd=debs, check=True, capture_output=True,
                                   text=True).stdout.strip())
    with open(os.path.join(target, ".version")) as f:
        return target, version or f.read().strip()


def read_arff(path):
    """ARFF with numeric and nominal attributes ('?' is missing, values may be quoted)."""
    names, rows, data = [], [], False
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("%"):
                continue
            low = line.lower()
            if low.startswith("@attribute"):
                rest = line[len("@attribute"):].strip()
                if rest[0] in "'\"":
                    end = rest.index(rest[0], 1)
                    names.append(rest[1:end])
                else:
                    names.append(rest.split()[0])
            elif low.startswith("@data"):
                data = True
            elif data:
                fields = next(csv.reader([line], quotechar="'", skipinitialspace=True))
                rows.append([None if v == "?" else v for v in fields])
    frame = pd.DataFrame(rows, columns=names)
    for column in frame.columns:
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().sum() == frame[column].notna().sum():
            frame[column] = converted
    return frame


def read(kind, path):
    if kind == "arff":
        return read_arff(path)
    if kind == "json":
        return pd.read_json(path)
    if kind == "sklearn-diabetes":
        x = pd.read_csv(path, sep=" ", header=None,
                        names=["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"])
        y = pd.read_csv(path.replace("diabetes_data_raw", "diabetes_target"), sep=" ", header=None)
        x["progression"] = y[0].to_numpy()
        return x
    return pd.read_csv(path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    debs = os.path.join(out, "debs")
    roots = {}
    listing = []
    for name, package, path, target, task, origin, kind in TABLES:
        if package not in roots:
            roots[package] = package_root(package, debs)
        root, version = roots[package]
        frame = read(kind, os.path.join(root, path))
        file = os.path.join(out, name + ".csv")
        frame.to_csv(file, index=False)
        listing.append({"name": name, "csv": file, "target": target, "task": task, "rows": int(len(frame)),
                        "columns": int(frame.shape[1]), "missing": int(frame.isna().sum().sum()),
                        "categorical": int(sum(not pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns if c != target)),
                        "package": package, "version": version, "file": "/" + path, "origin": origin})
    with open(os.path.join(out, "tables.json"), "w") as f:
        json.dump(listing, f, indent=1)
    for t in listing:
        print(f"{t['name']:24} {t['rows']:6} rows {t['columns']:3} cols {t['missing']:5} missing {t['categorical']:3} categorical  "
              f"{t['package']} {t['version']}")


if __name__ == "__main__":
    main()
