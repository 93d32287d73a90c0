"""The workspace's model registry from Python: register a run's model, load a version, predict.

Standard library only. The registry itself (lineage, data hashes, the copy of the model files,
approval) lives in the `cairn` CLI, which this module runs; it finds it in $CAIRN_CLI, else on
PATH. The workspace is the argument you give, else the one `cairn.set_workspace` chose, else
$CAIRN_WORKSPACE, else ~/CairnWorkspace.

    import cairn
    version = cairn.register_model(run, "churn")        # an ActiveRun or a run id
    model = cairn.models.load("churn@champion")         # NAME, NAME:3, NAME@alias
    model.predict([{"age": 42, "plan": "gold"}])        # [{"prediction": "yes", "probability_yes": 0.91, ...}]
"""

import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import _client


class CairnError(RuntimeError):
    """The `cairn` CLI refused or failed; the message is its own."""


def _cli():
    cli = os.environ.get("CAIRN_CLI") or shutil.which("cairn")
    if not cli:
        raise CairnError("cairn is not on PATH: set CAIRN_CLI to the cairn executable")
    return cli


def _workspace_path(workspace):
    return str(_client._workspace(workspace).path)


def _run_cli(args, workspace=None):
    proc = subprocess.run([_cli(), "--workspace", _workspace_path(workspace)] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        message = proc.stderr.strip() or "cairn %s exited with %d" % (" ".join(args), proc.returncode)
        if message.startswith("cairn: error: "):
            message = message[len("cairn: error: "):]
        elif message.startswith("cairn: "):
            message = message[len("cairn: "):]
        raise CairnError(message)
    return proc.stdout


def _json(args, workspace=None):
    return json.loads(_run_cli(list(args) + ["--format", "json"], workspace))


def register_model(run, name, description=None, tags=None, workspace=None):
    """Registers the model of `run` (an ActiveRun or a run id; a tuning run gives its best trial's
    model, an AutoML run its winner) as the next version of `name`. Returns the version as a dict
    (name, version, approval, model_dir, lineage, ...)."""
    run_id = getattr(run, "run_id", run)
    if not isinstance(run_id, str) or not run_id:
        raise ValueError("register_model needs a run or a run id, not %r" % (run,))
    if workspace is None and hasattr(run, "workspace"):
        workspace = str(run.workspace.path)
    args = ["models", "register", name, "--run", run_id]
    if description:
        args += ["--description", description]
    for key, value in (tags or {}).items():
        args += ["--tag", "%s=%s" % (key, value)]
    return _json(args, workspace)


def _version_ref(ref):
    # A bare NAME means its latest version.
    return ref if (":" in ref or "@" in ref) else ref + "@latest"


def get(ref, workspace=None):
    """One version ("NAME", "NAME:3", "NAME@alias") as a dict with its lineage and approval history."""
    return _json(["models", "show", _version_ref(ref)], workspace)


def list_models(workspace=None):
    """The registered models, as dicts (name, latest_version, versions, aliases, tags, ...)."""
    return _json(["models", "list"], workspace)


def versions(name, workspace=None):
    """The versions of a model, oldest first."""
    return _json(["models", "versions", name], workspace)


def approve(ref, comment="", workspace=None):
    """Marks a version Approved (the approval history keeps who, when and the comment)."""
    return _json(["models", "approve", ref, "--comment", comment], workspace)


def reject(ref, comment="", workspace=None):
    """Marks a version Rejected."""
    return _json(["models", "reject", ref, "--comment", comment], workspace)


def set_alias(name, alias, version, workspace=None):
    """Points NAME@alias at a version."""
    _run_cli(["models", "alias", name, alias, str(int(version))], workspace)


def load(ref, workspace=None):
    """The version `ref` names, ready to predict."""
    info = get(ref, workspace)
    return Model(info, workspace)


class Model:
    """A registered model version. predict() runs `cairn predict` on the rows, so the model's
    whole preprocessing applies and the outputs are exactly those of the CLI."""

    def __init__(self, info, workspace=None):
        self.info = info
        self.name = info["name"]
        self.version = info["version"]
        self.approval = info["approval"]
        self.model_dir = info["model_dir"]
        self.run_id = info.get("run_id") or None
        self.lineage = info.get("lineage", {})
        self._workspace = workspace

    def predict(self, rows, columns=None):
        """Scores rows: a list of dicts, a list of lists (with `columns`), or a pandas DataFrame.
        Returns a list of dicts (prediction, and for classifiers probability_<class> as floats),
        or a DataFrame for a DataFrame."""
        is_frame = hasattr(rows, "to_csv") and hasattr(rows, "columns")
        with tempfile.TemporaryDirectory(prefix="cairn-predict-") as tmp:
            source = Path(tmp) / "rows.csv"
            target = Path(tmp) / "predictions.csv"
            if is_frame:
                rows.to_csv(source, index=False)
            else:
                _write_csv(source, rows, columns)
            _run_cli(["predict", "--model", self.model_dir, "--input", str(source), "--output", str(target)], self._workspace)
            if is_frame:
                import pandas  # only when the caller already works with pandas
                return pandas.read_csv(target)
            # Class labels stay text (a label "1" is a class, not a number); the rest are numbers.
            labels = self.lineage.get("task") in ("binary", "multiclass", "image-classification")
            with open(target, newline="", encoding="utf-8") as f:
                return [{k: v if labels and k == "prediction" else _number(v) for k, v in row.items()}
                        for row in csv.DictReader(f)]

    def __repr__(self):
        return "<cairn.models.Model %s:%d %s>" % (self.name, self.version, self.approval)


def _write_csv(path, rows, columns):
    rows = list(rows)
    if not rows:
        raise ValueError("predict needs at least one row")
    if isinstance(rows[0], dict):
        header = list(columns or [])
        for row in rows:
            for key in row:
                if key not in header:
                    header.append(key)
        records = [[_cell(row.get(k)) for k in header] for row in rows]
    else:
        if not columns:
            raise ValueError("rows given as lists need columns=[...] naming them")
        header = list(columns)
        records = []
        for i, row in enumerate(rows):
            if len(row) != len(header):
                raise ValueError("row %d has %d values for %d columns" % (i, len(row), len(header)))
            records.append([_cell(v) for v in row])
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(records)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _number(text):
    try:
        return float(text)
    except ValueError:
        return text
