-- Batches of invitations sent in one go (InviteMany): the rows as the
-- administrator gave them, the source line of each and each row's outcome,
-- as JSON; how far the send has come, and the claim of the worker that
-- sends it (a lapsed one is taken over). batch_key holds the caller's key
-- only when there is one: one batch per administrator and key.
CREATE TABLE invitation_batches (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  admin_id BIGINT NOT NULL,
  batch_key VARCHAR(200) NULL,
  state VARCHAR(16) NOT NULL,
  all_or_none BOOLEAN NOT NULL,
  rows_json {{.Text}} NOT NULL,
  lines_json {{.Text}} NOT NULL,
  outcomes_json {{.Text}} NOT NULL,
  done INTEGER NOT NULL,
  created_at {{.Time}} NOT NULL,
  confirmed_at {{.Time}} NULL,
  claimed_until {{.Time}} NULL,
  CONSTRAINT invitation_batches_key_uq UNIQUE (admin_id, batch_key),
  CONSTRAINT invitation_batches_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}

--bun:split

CREATE INDEX invitation_batches_state_idx ON invitation_batches (state, id)
