-- Collections clients write over HTTP (POST /v1/collections, the item routes): their own database
-- (artifacts/collections.db by default) with its own schema history in this folder, applied by the same
-- migrator (shared/db/migrator.ts). Not inside a version's index.db, which the trainer writes, checksums
-- and a promotion replaces: a promotion or a reload never touches these. The tables keep the index
-- schema's names and columns (migrations/0001_index.sql, 0003_ann_graphs.sql), so the same vec0 KNN query
-- and search-graph code serve both; what differs is written here. Node only.

-- One row per collection; `model_version` is the version whose vectors fill it (a promotion makes the
-- collection stale until its items are embedded again), `revision` grows with every write.
CREATE TABLE collections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT,
  model_name TEXT NOT NULL,
  model_version TEXT NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  distance TEXT NOT NULL DEFAULT 'cosine' CHECK (distance = 'cosine'),
  items INTEGER NOT NULL DEFAULT 0 CHECK (items >= 0),
  revision INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (model_name, name)
) STRICT;

-- The vec0 table of a collection is `vec_<collections.id>`, created with the collection; its rowid is
-- items.id. `source` is the input the server embedded (JSON: a text, {"image"} or {"pixels"}), kept to
-- embed the item again after a promotion; NULL when the client gave the vector itself.
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  text TEXT,
  source TEXT CHECK (source IS NULL OR json_valid(source)),
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  updated_at TEXT NOT NULL,
  UNIQUE (collection_id, external_id)
) STRICT;

-- A collection's HNSW graph, as in the index database (0003_ann_graphs.sql). Every write deletes it in
-- its own transaction, so a stored graph always covers exactly the stored items.
CREATE TABLE ann_graphs (
  collection_id INTEGER PRIMARY KEY REFERENCES collections (id) ON DELETE CASCADE,
  method TEXT NOT NULL CHECK (method = 'hnsw'),
  params TEXT NOT NULL CHECK (json_valid(params)),
  entry_node INTEGER NOT NULL CHECK (entry_node >= 0),
  node_items BLOB NOT NULL
) STRICT;

CREATE TABLE ann_graph_layers (
  collection_id INTEGER NOT NULL REFERENCES ann_graphs (collection_id) ON DELETE CASCADE,
  level INTEGER NOT NULL CHECK (level >= 0),
  degree INTEGER NOT NULL CHECK (degree > 0),
  nodes BLOB NOT NULL,
  links BLOB NOT NULL,
  PRIMARY KEY (collection_id, level)
) STRICT;
