-- Retried writes are stored once. A client may give each event its own id (`id` in POST
-- /v1/users/{id}/events); an event whose id the user already has in the collection is not stored again,
-- so a batch resent after a dropped answer changes nothing. Events without an id are stored as they come.
--
-- This folder is the schema history of both stores of the edge's state: Node's state.db (applied by
-- shared/db/migrator.ts, which records them in schema_migrations) and the Worker's D1 database (applied by
-- `wrangler d1 migrations apply`, which records them in d1_migrations; wrangler.toml's migrations_dir).
-- Plain SQLite that D1 also runs: no transactions, PRAGMAs or custom functions in these files.
ALTER TABLE events ADD COLUMN client_id TEXT CHECK (client_id IS NULL OR length(client_id) BETWEEN 1 AND 128);

CREATE UNIQUE INDEX events_by_client_id ON events (collection, user_id, client_id) WHERE client_id IS NOT NULL;
