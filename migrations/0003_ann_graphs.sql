-- Approximate nearest-neighbour graphs (HNSW, shared/ann/): one per collection large enough to need one,
-- built by the index builder from the collection's vectors. A search without a filter walks the graph
-- instead of scanning every vector; a collection without a graph (a small one, or a file built before this
-- migration) is searched exactly by vec0. Node n of a graph is the item whose items.id is the n-th int32
-- (little-endian) of node_items; its vector is that item's vector in the collection's vec0 table.
CREATE TABLE ann_graphs (
  collection_id INTEGER PRIMARY KEY REFERENCES collections (id) ON DELETE CASCADE,
  method TEXT NOT NULL CHECK (method = 'hnsw'),
  -- The build parameters as JSON: {"m", "efConstruction", "seed"}.
  params TEXT NOT NULL CHECK (json_valid(params)),
  entry_node INTEGER NOT NULL CHECK (entry_node >= 0),
  node_items BLOB NOT NULL
) STRICT;

-- Layer `level` of a graph: its nodes (ascending int32 node numbers; layer 0 holds every node) and their
-- neighbour lists (int32 node numbers, `degree` slots per node in the order of `nodes`, padded with -1).
CREATE TABLE ann_graph_layers (
  collection_id INTEGER NOT NULL REFERENCES ann_graphs (collection_id) ON DELETE CASCADE,
  level INTEGER NOT NULL CHECK (level >= 0),
  degree INTEGER NOT NULL CHECK (degree > 0),
  nodes BLOB NOT NULL,
  links BLOB NOT NULL,
  PRIMARY KEY (collection_id, level)
) STRICT;
