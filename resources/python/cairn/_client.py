"""The implementation behind the `cairn` module's functions (see its docstring)."""

import math
import os
import random
import shutil
import socket
import sqlite3
import sys
import threading
import time
import uuid as uuid_module
from pathlib import Path

_SCHEMA_DIR = Path(__file__).with_name("schema")
_STATUSES = ("SCHEDULED", "RUNNING", "FINISHED", "FAILED", "KILLED")
# How long a write keeps retrying while other processes hold the database's write lock.
_LOCK_PATIENCE_S = 600.0


def _now_ms():
    return int(time.time() * 1000)


def _default_workspace():
    return os.environ.get("CAIRN_WORKSPACE") or str(Path.home() / "CairnWorkspace")


def _run_name():
    adjectives = ["amber", "bold", "brave", "bright", "calm", "clever", "crisp", "eager", "gentle", "golden",
                  "keen", "lively", "merry", "nimble", "quick", "quiet", "rapid", "steady", "swift", "vivid"]
    nouns = ["otter", "falcon", "heron", "lynx", "maple", "cedar", "comet", "delta", "ember", "fjord",
             "harbor", "lark", "meadow", "orca", "pine", "quartz", "river", "sparrow", "willow", "summit"]
    return "%s-%s-%d" % (random.choice(adjectives), random.choice(nouns), random.randrange(1000))


def _in_notebook():
    return "ipykernel" in sys.modules and "IPython" in sys.modules


class Workspace:
    """A workspace folder: cairn.db (SQLite, WAL) and artifacts/<run>/."""

    def __init__(self, path=None):
        self.path = Path(path or _default_workspace()).expanduser().resolve()
        if self.path.exists() and not self.path.is_dir():
            raise ValueError("%s is a file, not a workspace folder" % self.path)
        (self.path / "artifacts").mkdir(parents=True, exist_ok=True)
        self.database_path = self.path / "cairn.db"
        self._local = threading.local()
        self._migrate()

    # -- connection and transactions ---------------------------------------------------------

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.database_path), timeout=60, isolation_level=None)
            self._execute_patiently(conn, "PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @staticmethod
    def _execute_patiently(conn, sql):
        deadline = time.monotonic() + _LOCK_PATIENCE_S
        while True:
            try:
                return conn.execute(sql)
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def write(self, fn):
        """Runs fn(conn) in one BEGIN IMMEDIATE transaction, waiting while others write."""
        conn = self._connection()
        deadline = time.monotonic() + _LOCK_PATIENCE_S
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        while True:
            try:
                conn.execute("COMMIT")
                return result
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                    conn.execute("ROLLBACK")
                    raise
                time.sleep(0.02)

    def _migrate(self):
        files = sorted(_SCHEMA_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
        latest = int(files[-1].name[:4]) if files else 0
        conn = self._connection()
        if conn.execute("PRAGMA user_version").fetchone()[0] == latest:
            return

        def apply(conn):
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > latest:
                raise RuntimeError("%s was written by a newer Cairn Studio (schema %d; this client knows %d)"
                                   % (self.database_path, current, latest))
            for f in files:
                version = int(f.name[:4])
                if version > current:
                    for statement in _split_sql(f.read_text(encoding="utf-8")):
                        conn.execute(statement)
                    conn.execute("PRAGMA user_version = %d" % version)

        self.write(apply)

    # -- queries the client needs ------------------------------------------------------------

    def experiment_id(self, name, create=True):
        def find_or_create(conn):
            row = conn.execute("SELECT id, lifecycle FROM experiments WHERE name = ?", (name,)).fetchone()
            if row:
                if row[1] == "deleted":
                    raise ValueError("experiment '%s' is deleted: restore it first" % name)
                return row[0]
            if not create:
                raise ValueError("no experiment named '%s'" % name)
            now = _now_ms()
            cur = conn.execute("INSERT INTO experiments (name, creation_time, last_update_time) VALUES (?, ?, ?)",
                               (name, now, now))
            return cur.lastrowid
        return self.write(find_or_create)

    def run_row_id(self, run_uuid):
        row = self._connection().execute("SELECT id FROM runs WHERE uuid = ?", (run_uuid,)).fetchone()
        if not row:
            raise ValueError("no run with id %s in %s" % (run_uuid, self.path))
        return row[0]

    def metric_key_id(self, conn, key):
        conn.execute("INSERT INTO metric_keys (name) VALUES (?) ON CONFLICT (name) DO NOTHING", (key,))
        return conn.execute("SELECT id FROM metric_keys WHERE name = ?", (key,)).fetchone()[0]

    def artifact_dir(self, run_uuid):
        return self.path / "artifacts" / run_uuid


def _split_sql(text):
    """Splits a schema file into statements (the files hold no ';' inside literals)."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


_SUMMARY_SQL = "\n".join(line for line in (_SCHEMA_DIR / "upsert_metric_summary.sql").read_text(encoding="utf-8").splitlines()
                         if not line.strip().startswith("--"))


def _check_key(kind, key):
    if not isinstance(key, str) or not key:
        raise ValueError("a %s needs a non-empty string key, not %r" % (kind, key))


class ActiveRun:
    """A run being logged to. Use as a context manager: an exception marks it FAILED."""

    def __init__(self, workspace, run_uuid, row_id):
        self.workspace = workspace
        self.run_id = run_uuid
        self._row_id = row_id
        self._ended = False

    @property
    def info(self):
        conn = self.workspace._connection()
        row = conn.execute("SELECT uuid, name, status, start_time, end_time, experiment_id FROM runs WHERE id = ?",
                           (self._row_id,)).fetchone()
        return dict(zip(("run_id", "name", "status", "start_time", "end_time", "experiment_id"), row))

    def log_param(self, key, value):
        self.log_params({key: value})

    def log_params(self, params):
        items = [(k, _param_text(v)) for k, v in params.items()]
        for k, _ in items:
            _check_key("param", k)

        def insert(conn):
            for k, v in items:
                row = conn.execute("SELECT value FROM params WHERE run_id = ? AND key = ?", (self._row_id, k)).fetchone()
                if row is not None:
                    if row[0] != v:
                        raise ValueError("param '%s' is already '%s'; params cannot change (start a new run instead)"
                                         % (k, row[0]))
                    continue
                conn.execute("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)", (self._row_id, k, v))
        self.workspace.write(insert)

    def log_metric(self, key, value, step=None, timestamp=None):
        self.log_metrics({key: value}, step=step, timestamp=timestamp)

    def log_metrics(self, metrics, step=None, timestamp=None):
        ts = int(timestamp) if timestamp is not None else _now_ms()
        points = []
        for key, value in metrics.items():
            _check_key("metric", key)
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise ValueError("metric '%s' needs a number, not %r" % (key, value)) from None
            points.append((key, v))

        def insert(conn):
            for key, v in points:
                key_id = self.workspace.metric_key_id(conn, key)
                s = self._next_step(conn, key_id) if step is None else int(step)
                stored = None if math.isnan(v) else v  # NULL is NaN in the store
                conn.execute("INSERT INTO metrics (run_id, key_id, step, timestamp, value) VALUES (?, ?, ?, ?, ?)",
                             (self._row_id, key_id, s, ts, stored))
                conn.execute(_SUMMARY_SQL, (self._row_id, key_id, stored, s, ts, stored, stored, 1))
        self.workspace.write(insert)

    def _next_step(self, conn, key_id):
        row = conn.execute("SELECT last_step + 1 FROM metric_summaries WHERE run_id = ? AND key_id = ?",
                           (self._row_id, key_id)).fetchone()
        return row[0] if row else 0

    def set_tag(self, key, value):
        self.set_tags({key: value})

    def set_tags(self, tags):
        items = [(k, str(v)) for k, v in tags.items()]
        for k, _ in items:
            _check_key("tag", k)

        def upsert(conn):
            for k, v in items:
                conn.execute("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) "
                             "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value", (self._row_id, k, v))
        self.workspace.write(upsert)

    def log_artifact(self, local_path, artifact_path=None):
        source = Path(local_path)
        if not source.exists():
            raise FileNotFoundError("cannot log artifact: %s does not exist" % local_path)
        target_dir = self.workspace.artifact_dir(self.run_id)
        if artifact_path:
            rel = Path(artifact_path)
            if rel.is_absolute() or ".." in rel.parts:
                raise ValueError("artifact_path '%s' must be relative and stay inside the run" % artifact_path)
            target_dir = target_dir / rel
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / source.name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
        return str(target)

    def log_artifacts(self, local_dir, artifact_path=None):
        source = Path(local_dir)
        if not source.is_dir():
            raise NotADirectoryError("cannot log artifacts: %s is not a folder" % local_dir)
        target_dir = self.workspace.artifact_dir(self.run_id)
        if artifact_path:
            target_dir = target_dir / artifact_path
        shutil.copytree(source, target_dir, dirs_exist_ok=True)
        return str(target_dir)

    def end(self, status="FINISHED"):
        status = status.upper()
        if status not in _STATUSES:
            raise ValueError("status must be one of %s, not %r" % (", ".join(_STATUSES), status))
        terminal = status in ("FINISHED", "FAILED", "KILLED")

        def update(conn):
            conn.execute("UPDATE runs SET status = ?, end_time = ? WHERE id = ?",
                         (status, _now_ms() if terminal else None, self._row_id))
        self.workspace.write(update)
        self._ended = terminal

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self._ended:
            self.end("KILLED" if exc_type is KeyboardInterrupt else "FAILED" if exc_type else "FINISHED")
        _pop_run(self)
        return False

    def __repr__(self):
        return "<ActiveRun %s in %s>" % (self.run_id, self.workspace.path)


def _param_text(value):
    if isinstance(value, float):
        return repr(value)
    return str(value)


# -- module-level API, MLflow style --------------------------------------------------------------

_state = threading.local()
_workspaces = {}
_workspace_override = None
_experiment_override = None


def _stack():
    if not hasattr(_state, "runs"):
        _state.runs = []
    return _state.runs


def _pop_run(run):
    stack = _stack()
    if run in stack:
        stack.remove(run)


def _workspace(path=None):
    key = str(Path(path or _workspace_override or _default_workspace()).expanduser().resolve())
    if key not in _workspaces:
        _workspaces[key] = Workspace(key)
    return _workspaces[key]


def set_workspace(path):
    """Use this workspace folder for the runs started from now on."""
    global _workspace_override
    _workspace_override = str(path) if path else None


def set_experiment(name):
    """Log the runs started from now on into this experiment (created if needed)."""
    global _experiment_override
    _experiment_override = name


def start_run(run_name=None, experiment=None, workspace=None, nested=False, tags=None, run_id=None):
    """Starts a run (or resumes run_id) and makes it the active one; use `with` to end it."""
    ws = _workspace(workspace)
    stack = _stack()
    if stack and not nested:
        raise RuntimeError("run %s is already active: end it first, or pass nested=True" % stack[-1].run_id)
    run_id = run_id or os.environ.get("CAIRN_RUN_ID") if not stack else run_id
    if run_id:
        run = ActiveRun(ws, run_id, ws.run_row_id(run_id))
        run.end("RUNNING")
        stack.append(run)
        return run
    experiment_name = experiment or _experiment_override or os.environ.get("CAIRN_EXPERIMENT")
    experiment_id = ws.experiment_id(experiment_name) if experiment_name else 0
    parent = stack[-1]._row_id if stack else None
    notebook = _in_notebook()
    source_type = "NOTEBOOK" if notebook else "LOCAL"
    source_ref = os.environ.get("CAIRN_NOTEBOOK_PATH", "") if notebook else os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    run_uuid = uuid_module.uuid4().hex
    name = run_name or _run_name()

    def insert(conn):
        cur = conn.execute(
            "INSERT INTO runs (uuid, experiment_id, name, status, start_time, source_type, source_ref, parent_id, host, pid) "
            "VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?)",
            (run_uuid, experiment_id, name, _now_ms(), source_type, source_ref, parent, socket.gethostname(), os.getpid()))
        conn.execute("UPDATE experiments SET last_update_time = ? WHERE id = ?", (_now_ms(), experiment_id))
        return cur.lastrowid
    run = ActiveRun(ws, run_uuid, ws.write(insert))
    stack.append(run)
    if tags:
        run.set_tags(tags)
    return run


def active_run():
    """The innermost active run, or None."""
    stack = _stack()
    return stack[-1] if stack else None


def _require_run():
    run = active_run()
    if run is None:
        return start_run()
    return run


def end_run(status="FINISHED"):
    """Ends the active run."""
    run = active_run()
    if run is None:
        return
    run.end(status)
    _pop_run(run)


def log_param(key, value):
    _require_run().log_param(key, value)


def log_params(params):
    _require_run().log_params(params)


def log_metric(key, value, step=None, timestamp=None):
    _require_run().log_metric(key, value, step=step, timestamp=timestamp)


def log_metrics(metrics, step=None, timestamp=None):
    _require_run().log_metrics(metrics, step=step, timestamp=timestamp)


def set_tag(key, value):
    _require_run().set_tag(key, value)


def set_tags(tags):
    _require_run().set_tags(tags)


def log_artifact(local_path, artifact_path=None):
    return _require_run().log_artifact(local_path, artifact_path)


def log_artifacts(local_dir, artifact_path=None):
    return _require_run().log_artifacts(local_dir, artifact_path)
