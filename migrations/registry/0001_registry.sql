-- The version registry: every version of every model that a retrain job trained, or found published,
-- with its lineage, data fingerprint, config, metrics, status and timestamps. It is its own database
-- (artifacts/registry.db by default) with its own schema history in this folder, applied by the same
-- migrator (shared/db/migrator.ts). The index migrations one level up describe index.db files, which are
-- published artifacts that Workers read; they stay free of registry tables. (The `models` table there
-- names the model version that embedded an index.db's collections; the tables below are the history of
-- versions across time.)
--
-- What the edge serves is the artifacts' `current` pointer. The registry mirrors it (status 'champion');
-- a process that dies between switching the pointer and updating the registry is reconciled next time.

CREATE TABLE model_versions (
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('candidate', 'champion', 'rejected', 'retired')),
  -- Lineage: the champion this version was trained to replace, the run that trained it, the data
  -- snapshot (and its sha256) and the training config (and the sha256 of its canonical JSON).
  parent_version TEXT,
  run_id TEXT,
  run_dir TEXT,
  data_fingerprint TEXT NOT NULL,
  snapshot TEXT NOT NULL CHECK (json_valid(snapshot)),
  config TEXT NOT NULL CHECK (json_valid(config)),
  config_sha256 TEXT NOT NULL,
  -- Scores on the model's frozen evaluation set (eval_sets.sha256), as the edge would serve them.
  eval_set TEXT,
  metrics TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  -- Why the version has its status: the gate's verdict, a rollback, an adoption.
  reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- When its folder was published under artifacts/ (NULL: never published, e.g. rejected by the gate).
  published_at TEXT,
  -- When it last became champion; rollback returns to the retired version promoted most recently.
  promoted_at TEXT,
  PRIMARY KEY (model, version)
) STRICT;

-- At most one champion per model, whatever the code does.
CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (model) WHERE status = 'champion';
CREATE INDEX model_versions_lineage ON model_versions (model, data_fingerprint, config_sha256);

-- Every status a version took, with the reason and time: the audit trail of promotions and rollbacks.
CREATE TABLE model_version_events (
  id INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('candidate', 'champion', 'rejected', 'retired')),
  reason TEXT,
  at TEXT NOT NULL,
  FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
) STRICT;

-- One frozen evaluation set per model: champion and candidate are always compared on these items, even
-- after the training config (and so its own held-out split) changes.
CREATE TABLE eval_sets (
  model TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  kind TEXT NOT NULL,
  items TEXT NOT NULL CHECK (json_valid(items)),
  -- How the set was chosen, for people reading the registry.
  source TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
