-- Messages waiting for delivery, and those delivered or failed. company_id is
-- NULL only for mail to a Global Administrator of no company. A message is
-- written in the transaction that changes its invitation; workers claim due
-- rows (SELECT ... FOR UPDATE SKIP LOCKED on MySQL) and deliver them.
CREATE TABLE outbox (
  id {{.ID}},
  company_id BIGINT NULL,
  invitation_id BIGINT NULL,
  kind VARCHAR(16) NOT NULL,
  message_id VARCHAR(255) NOT NULL,
  recipient VARCHAR(254) NOT NULL,
  recipient_name VARCHAR(201) NOT NULL,
  language VARCHAR(35) NOT NULL,
  subject VARCHAR(1000) NOT NULL,
  text_body {{.Text}} NOT NULL,
  html_body {{.Text}} NOT NULL,
  state VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  next_attempt_at {{.Time}} NOT NULL,
  last_error VARCHAR(1000) NOT NULL,
  created_at {{.Time}} NOT NULL,
  sent_at {{.Time}} NULL,
  CONSTRAINT outbox_message_id_uq UNIQUE (message_id),
  CONSTRAINT outbox_company_fk FOREIGN KEY (company_id) REFERENCES companies (id),
  CONSTRAINT outbox_invitation_fk FOREIGN KEY (invitation_id) REFERENCES invitations (id)
){{.Options}}

--bun:split

CREATE INDEX outbox_due_idx ON outbox (state, next_attempt_at)

--bun:split

CREATE INDEX outbox_invitation_idx ON outbox (invitation_id, id)

--bun:split

CREATE INDEX outbox_company_idx ON outbox (company_id, id)
