-- API tokens (issue 14): keys with which other systems call the HTTP API
-- on behalf of the administrator who made them. Only the SHA-256 of the
-- secret is kept (token_hash, unique: it is what a request is looked up
-- by); prefix is the start of the secret, which is shown to tell tokens
-- apart. company_id is the creator's company, NULL for a Global
-- Administrator without one. A deleted user takes their tokens with them.
CREATE TABLE api_tokens (
  id {{.ID}},
  user_id BIGINT NOT NULL,
  company_id BIGINT NULL,
  name VARCHAR(100) NOT NULL,
  prefix VARCHAR(20) NOT NULL,
  token_hash {{.Hash}} NOT NULL,
  created_at {{.Time}} NOT NULL,
  last_used_at {{.Time}} NULL,
  CONSTRAINT api_tokens_hash_uq UNIQUE (token_hash),
  CONSTRAINT api_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT api_tokens_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}
