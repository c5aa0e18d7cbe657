-- Histories a recommendation model ships with its item collection: each known user's interactions up to
-- the model's training data, so the edge can recommend for them by id. Events recorded at the edge after
-- that live in the edge's own state database (migrations/edge-state/), not here.
CREATE TABLE user_histories (
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  -- JSON array of the user's positive items (items.external_id), oldest first: what the user vector pools.
  positives TEXT NOT NULL CHECK (json_valid(positives)),
  -- JSON array of every item the user interacted with, positive or not: what exclude_seen leaves out.
  seen TEXT NOT NULL CHECK (json_valid(seen)),
  PRIMARY KEY (collection_id, user_id)
) STRICT;
