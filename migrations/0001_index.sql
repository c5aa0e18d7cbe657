-- The index database: named collections of items with their embeddings, and the models that produced them.
-- schema_migrations is created by the migrator itself (shared/db/migrator.ts), which needs it before any
-- migration can run. Each collection's vectors live in its own vec0 table, `vec_<collections.id>`, created
-- by the index builder because vec0 fixes the dimension per table; the vec0 rowid is items.id.
-- Plain SQL only (no custom functions): Workers open this file read-only with a WebAssembly SQLite + vec0.

-- The model registry. Inside an index.db the row records which model version embedded the collections;
-- the live version of a model is the artifacts' `current` pointer, not this status.
CREATE TABLE models (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  status TEXT NOT NULL CHECK (status IN ('candidate', 'live', 'retired', 'rejected')),
  manifest TEXT CHECK (manifest IS NULL OR json_valid(manifest)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (name, version)
) STRICT;

CREATE TABLE collections (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  model_name TEXT NOT NULL,
  model_version TEXT NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  distance TEXT NOT NULL DEFAULT 'cosine' CHECK (distance = 'cosine'),
  items INTEGER NOT NULL DEFAULT 0 CHECK (items >= 0),
  created_at TEXT NOT NULL,
  FOREIGN KEY (model_name, model_version) REFERENCES models (name, version)
) STRICT;

CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  text TEXT,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  UNIQUE (collection_id, external_id)
) STRICT;
