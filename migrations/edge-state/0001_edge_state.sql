-- The edge's writable state: API keys and the interaction events clients record. It is its own database
-- (artifacts/state.db by default) with its own schema history in this folder, applied by the same
-- migrator (shared/db/migrator.ts), because the index migrations one level up describe published,
-- read-only index.db files. Node only: Workers answer write endpoints with 405.

-- Only a hash of each key is kept; the key is shown once, when it is created.
CREATE TABLE api_keys (
  -- The public part of the key (`dmle_<id>_<secret>`), shown by `dml-edge keys list`.
  id TEXT PRIMARY KEY,
  name TEXT,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
  -- sha256 (lower-case hex) of the whole key.
  key_sha256 TEXT NOT NULL CHECK (length(key_sha256) = 64),
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;

-- Interactions recorded through POST /v1/users/{id}/events, in arrival order. AUTOINCREMENT keeps ids
-- increasing even if old events are deleted, so the retrain job's cursor (the last id it read) stays valid.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  collection TEXT NOT NULL,
  user_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  -- NULL: an implicit interaction, always positive.
  rating REAL,
  -- Seconds since the epoch: when the interaction happened (the client's time, or the arrival time).
  occurred_at REAL NOT NULL,
  received_at TEXT NOT NULL
) STRICT;

CREATE INDEX events_by_user ON events (collection, user_id, occurred_at, id);
