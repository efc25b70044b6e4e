-- Requests to reset a password. A request is written the same way whether or
-- not the address belongs to a user; a job issues the token (only its hash
-- is kept) and the e-mail for those that do. A newer token supersedes older
-- ones; a token is used once.
CREATE TABLE password_resets (
  id {{.ID}},
  email VARCHAR(254) NOT NULL,
  language VARCHAR(35) NOT NULL,
  state VARCHAR(16) NOT NULL,
  user_id BIGINT NULL,
  token_hash {{.Hash}} NULL,
  created_at {{.Time}} NOT NULL,
  expires_at {{.Time}} NULL,
  used_at {{.Time}} NULL,
  CONSTRAINT password_resets_token_hash_uq UNIQUE (token_hash),
  CONSTRAINT password_resets_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
){{.Options}}

--bun:split

CREATE INDEX password_resets_state_idx ON password_resets (state, id)

--bun:split

CREATE INDEX password_resets_user_idx ON password_resets (user_id, state)
