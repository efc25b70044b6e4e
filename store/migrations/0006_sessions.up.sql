-- Log-ins. Only the SHA-256 of a session's token is stored.
CREATE TABLE sessions (
  token_hash {{.Hash}} NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  created_at {{.Time}} NOT NULL,
  expires_at {{.Time}} NOT NULL,
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
){{.Options}}

--bun:split

CREATE INDEX sessions_user_idx ON sessions (user_id)
