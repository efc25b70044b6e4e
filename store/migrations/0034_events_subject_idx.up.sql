-- An invitation's or a user's timeline.
CREATE INDEX events_subject_idx ON events (subject, subject_id, id)
