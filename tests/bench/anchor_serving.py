"""Anchors for bench_serving: the same XGBoost model (a Cairn model folder) in Python.

  anchor_serving.py fastapi MODEL_DIR PORT          serve POST /invocations with FastAPI + uvicorn
  anchor_serving.py flask MODEL_DIR PORT            the same with Flask (threaded werkzeug server)
  anchor_serving.py transform MODEL_DIR CSV OUT     pandas.read_csv + encode + predict + to_csv
                                                    -> {"total_s"}

The server path is what `mlflow models serve` does per request: JSON body -> pandas DataFrame ->
the model's preprocessing -> xgboost predict -> JSON answer. The encoding is the model card's
(numbers as they are, one-hot indicators for the kept categories), so answers match Cairn's.
"""
import json
import logging
import os
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb


class Model:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            card = json.load(f)
        self.features = card["preprocessing"]["encoder"]["features"]
        self.classes = card.get("classes", [])
        booster_file = card.get("files", {}).get("booster", "model.xgb.json")
        self.booster = xgb.Booster()
        self.booster.load_model(os.path.join(model_dir, booster_file))
        self.booster.set_param({"nthread": 1})
        self.names = self.booster.feature_names

    def encode(self, df):
        cols = []
        for f in self.features:
            values = df[f["column"]]
            if f["encoding"] == "onehot":
                text = values.astype(str)
                for c in f["categories"]:
                    cols.append((text == c).to_numpy(dtype=np.float32))
            else:
                cols.append(pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float32))
        return np.column_stack(cols)

    def predict(self, df, nthread=1):
        x = self.encode(df)
        # One thread per request: an OpenMP team for one row costs ~100 ms on a busy 2-core machine.
        p = self.booster.predict(xgb.DMatrix(x, feature_names=self.names, missing=np.nan, nthread=nthread))
        if p.ndim == 1:
            p = np.column_stack([1 - p, p])
        labels = np.asarray(self.classes, dtype=object)[p.argmax(axis=1)]
        out = pd.DataFrame(p, columns=["probability_" + c for c in self.classes])
        out.insert(0, "prediction", labels)
        return out


def records_of(payload):
    if "dataframe_records" in payload:
        return pd.DataFrame.from_records(payload["dataframe_records"])
    if "instances" in payload:
        return pd.DataFrame.from_records(payload["instances"])
    split = payload["dataframe_split"]
    return pd.DataFrame(split["data"], columns=split["columns"])


def serve_fastapi(model, port):
    import uvicorn
    from fastapi import FastAPI, Request

    app = FastAPI()

    @app.get("/ping")
    def ping():
        return {}

    @app.post("/invocations")
    async def invocations(request: Request):
        df = records_of(await request.json())
        return {"predictions": model.predict(df).to_dict(orient="records")}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def serve_flask(model, port):
    from flask import Flask, jsonify, request

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = Flask(__name__)

    @app.get("/ping")
    def ping():
        return ""

    @app.post("/invocations")
    def invocations():
        df = records_of(request.get_json(force=True))
        return jsonify({"predictions": model.predict(df).to_dict(orient="records")})

    app.run(host="127.0.0.1", port=port, threaded=True)


def transform(model_dir, csv, out):
    t0 = time.perf_counter()
    model = Model(model_dir)
    model.booster.set_param({"nthread": os.cpu_count()})
    df = pd.read_csv(csv)
    model.predict(df, nthread=os.cpu_count()).to_csv(out, index=False, float_format="%.6g")
    print(json.dumps({"total_s": time.perf_counter() - t0}))


def main():
    mode, model_dir = sys.argv[1], sys.argv[2]
    if mode == "transform":
        transform(model_dir, sys.argv[3], sys.argv[4])
        return
    model = Model(model_dir)
    port = int(sys.argv[3])
    (serve_fastapi if mode == "fastapi" else serve_flask)(model, port)


if __name__ == "__main__":
    main()
