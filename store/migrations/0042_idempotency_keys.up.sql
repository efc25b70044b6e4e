-- Idempotency keys (issue 14): a create under a caller's key, written in
-- the transaction of what it created, so that a repeated or concurrent
-- request with the key creates nothing more (one per user and key, the
-- unique constraint). fingerprint is the SHA-256 of the request; response
-- what was answered, to answer it again. Kept at least 24 hours.
CREATE TABLE idempotency_keys (
  id {{.ID}},
  user_id BIGINT NOT NULL,
  company_id BIGINT NOT NULL,
  idem_key VARCHAR(255) NOT NULL,
  fingerprint {{.Hash}} NOT NULL,
  invitation_id BIGINT NOT NULL,
  response {{.Text}} NULL,
  created_at {{.Time}} NOT NULL,
  CONSTRAINT idempotency_keys_key_uq UNIQUE (user_id, idem_key),
  CONSTRAINT idempotency_keys_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}
