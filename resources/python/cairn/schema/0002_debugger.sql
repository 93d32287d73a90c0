-- Debugger data (schema version 2): tensor statistics and histograms over training steps,
-- and the state of the debugger's rules per run. Written by the job manager (from worker
-- events), by the Python client's cairn.debugger.Hook, and by rule evaluation.

-- One row per tensor of a run ("fc1.weight", "fc1.weight.grad", "relu1.output", "loss").
-- collection is SageMaker Debugger's: weights, biases, gradients, activations, losses,
-- update_ratios, labels, feature_importance, tree_depth, or a user's own name.
CREATE TABLE debug_tensors (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  collection TEXT    NOT NULL DEFAULT '',
  UNIQUE (run_id, name)
);

-- One row per (tensor, step), clustered by tensor then step so that reading one tensor
-- across all steps is a single range scan. histogram is a compact little-endian blob:
-- u8 version (1), u8 flags (1: uniform edges, 2: counts are f64 instead of u32), u16 bins,
-- then f64 lo, f64 hi (uniform) or (bins + 1) f64 edges, then the bins' counts.
-- Statistics are over finite values; NULL means NaN.
CREATE TABLE debug_samples (
  tensor_id  INTEGER NOT NULL,
  step       INTEGER NOT NULL,
  timestamp  INTEGER NOT NULL,
  count      INTEGER NOT NULL,
  nan_count  INTEGER NOT NULL DEFAULT 0,
  inf_count  INTEGER NOT NULL DEFAULT 0,
  zero_count INTEGER NOT NULL DEFAULT 0,
  min        REAL,
  max        REAL,
  mean       REAL,
  std        REAL,
  l1         REAL,
  l2         REAL,
  histogram  BLOB,
  PRIMARY KEY (tensor_id, step)
) WITHOUT ROWID;

-- The latest evaluation of each rule on a run: status InProgress, NoIssuesFound, IssuesFound
-- or Error; step where it first fired (NULL if it has not); an explanation for the user.
CREATE TABLE debug_rule_results (
  run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rule           TEXT    NOT NULL,
  status         TEXT    NOT NULL CHECK (status IN ('InProgress', 'NoIssuesFound', 'IssuesFound', 'Error')),
  step           INTEGER,
  tensor         TEXT    NOT NULL DEFAULT '',
  message        TEXT    NOT NULL DEFAULT '',
  parameters     TEXT    NOT NULL DEFAULT '{}',
  actions        TEXT    NOT NULL DEFAULT '',
  evaluated_step INTEGER,
  updated_time   INTEGER NOT NULL,
  PRIMARY KEY (run_id, rule)
) WITHOUT ROWID;
