-- Batches of invitations sent in one go (InviteMany). A batch is two
-- records, in one table as migrations are one statement each: the batch
-- (who sent it into which company, each row's outcome as JSON in data,
-- how far the send has come, the claim of the worker that sends it), and
-- its rows as given (state 'rows', data the rows and their source lines
-- as JSON), which never change and which the batch names by rows_id. Each
-- chunk of a send rewrites the batch's record, and SQLite rewrites a whole
-- record: megabytes of rows in it made each chunk slow. batch_key holds
-- the caller's key only when there is one: one batch per administrator
-- and key.
CREATE TABLE invitation_batches (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  admin_id BIGINT NOT NULL,
  batch_key VARCHAR(200) NULL,
  state VARCHAR(16) NOT NULL,
  all_or_none BOOLEAN NOT NULL,
  done INTEGER NOT NULL,
  rows_id BIGINT NULL,
  created_at {{.Time}} NOT NULL,
  confirmed_at {{.Time}} NULL,
  claimed_until {{.Time}} NULL,
  data {{.Text}} NOT NULL,
  CONSTRAINT invitation_batches_key_uq UNIQUE (admin_id, batch_key),
  CONSTRAINT invitation_batches_company_fk FOREIGN KEY (company_id) REFERENCES companies (id),
  CONSTRAINT invitation_batches_rows_fk FOREIGN KEY (rows_id) REFERENCES invitation_batches (id)
){{.Options}}
