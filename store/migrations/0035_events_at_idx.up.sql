-- PruneEvents deletes the oldest first; the export's time range of every
-- company.
CREATE INDEX events_at_idx ON events (occurred_at, id)
