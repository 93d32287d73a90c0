-- Cairn workspace store, schema version 1.
-- Shared by the C++ core and the Python client: both apply the numbered files in order
-- and record the highest in PRAGMA user_version.
-- Times are milliseconds since the Unix epoch. A NULL metric value means NaN
-- (SQLite turns a bound NaN into NULL); +/-Inf are stored as they are.

CREATE TABLE experiments (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL UNIQUE,
  lifecycle        TEXT    NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('active', 'deleted')),
  creation_time    INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL
);
INSERT INTO experiments (id, name, creation_time, last_update_time)
VALUES (0, 'Default', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  uuid          TEXT    NOT NULL UNIQUE,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  name          TEXT    NOT NULL DEFAULT '',
  status        TEXT    NOT NULL DEFAULT 'RUNNING'
                CHECK (status IN ('SCHEDULED', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED')),
  start_time    INTEGER,
  end_time      INTEGER,
  source_type   TEXT    NOT NULL DEFAULT 'LOCAL',
  source_ref    TEXT    NOT NULL DEFAULT '',
  parent_id     INTEGER REFERENCES runs(id),
  host          TEXT    NOT NULL DEFAULT '',
  pid           INTEGER,
  lifecycle     TEXT    NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('active', 'deleted')),
  deleted_time  INTEGER
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle, start_time);
CREATE INDEX runs_by_parent ON runs (parent_id);
CREATE INDEX runs_by_status ON runs (status);

CREATE TABLE params (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT    NOT NULL,
  value  TEXT    NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key ON params (key, value);

CREATE TABLE tags (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT    NOT NULL,
  value  TEXT    NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags (key, value);

CREATE TABLE metric_keys (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE metrics (
  run_id    INTEGER NOT NULL,
  key_id    INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL
);
CREATE INDEX metrics_by_series ON metrics (run_id, key_id, step);

-- One row per (run, metric): the latest point (highest step, then latest timestamp),
-- min and max over non-NaN values, and the number of points. Kept by every writer in the
-- same transaction as the points, so tables and filters never scan the history.
CREATE TABLE metric_summaries (
  run_id         INTEGER NOT NULL,
  key_id         INTEGER NOT NULL,
  last_value     REAL,
  last_step      INTEGER NOT NULL,
  last_timestamp INTEGER NOT NULL,
  min_value      REAL,
  max_value      REAL,
  count          INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;
CREATE INDEX metric_summaries_by_key ON metric_summaries (key_id, last_value);
