-- Schema version 4: the model registry. Registered models (a name) with auto-numbered versions;
-- each version's files are a copy under <workspace>/models/<name>/<version>/ (model_dir holds
-- that path relative to the workspace), so deleting the run keeps the version usable.
-- Version numbers are never reused: last_version only grows.

CREATE TABLE registered_models (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL UNIQUE,
  description      TEXT    NOT NULL DEFAULT '',
  last_version     INTEGER NOT NULL DEFAULT 0,
  creation_time    INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL
);

-- lineage: JSON (run, spec, hyperparameters, data channels with content hashes, metrics,
-- Cairn version). card: JSON of the editable model card text.
CREATE TABLE model_versions (
  id            INTEGER PRIMARY KEY,
  model_id      INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
  version       INTEGER NOT NULL,
  approval      TEXT    NOT NULL DEFAULT 'PendingManualApproval'
                CHECK (approval IN ('PendingManualApproval', 'Approved', 'Rejected')),
  source        TEXT    NOT NULL CHECK (source IN ('run', 'folder')),
  source_ref    TEXT    NOT NULL DEFAULT '',
  run_uuid      TEXT    NOT NULL DEFAULT '',
  model_dir     TEXT    NOT NULL,
  description   TEXT    NOT NULL DEFAULT '',
  lineage       TEXT    NOT NULL DEFAULT '{}',
  card          TEXT    NOT NULL DEFAULT '{}',
  created_by    TEXT    NOT NULL DEFAULT '',
  creation_time INTEGER NOT NULL,
  UNIQUE (model_id, version)
);
CREATE INDEX model_versions_by_run ON model_versions (run_uuid);

-- The approval trail: rows are only ever added.
CREATE TABLE model_approvals (
  id         INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  status     TEXT    NOT NULL,
  changed_by TEXT    NOT NULL DEFAULT '',
  time       INTEGER NOT NULL,
  comment    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX model_approvals_by_version ON model_approvals (version_id, id);

CREATE TABLE model_aliases (
  model_id   INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
  alias      TEXT    NOT NULL,
  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  PRIMARY KEY (model_id, alias)
) WITHOUT ROWID;

CREATE TABLE model_tags (
  model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
  key      TEXT    NOT NULL,
  value    TEXT    NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;

CREATE TABLE model_version_tags (
  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  PRIMARY KEY (version_id, key)
) WITHOUT ROWID;
