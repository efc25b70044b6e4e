-- The history (issue 14): one row an event, only ever appended, each in
-- the transaction of the change it records, and deleted only when older
-- than the retention (PruneEvents). company_id is 0 for events of no
-- company; it has no foreign key, nor have actor_id and subject_id: the
-- history keeps naming a user after they are deleted. actor_email and
-- email are the addresses as they were when it happened. detail is a
-- small JSON object.
CREATE TABLE events (
  id {{.ID}},
  occurred_at {{.Time}} NOT NULL,
  kind VARCHAR(40) NOT NULL,
  company_id BIGINT NOT NULL,
  actor VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL,
  actor_email VARCHAR(254) NOT NULL,
  subject VARCHAR(16) NOT NULL,
  subject_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  detail {{.Text}} NULL
){{.Options}}
