-- PruneMessages reads the oldest messages first, those created before the
-- retention only, without reading the rest of the outbox.
CREATE INDEX outbox_created_idx ON outbox (created_at, id)
