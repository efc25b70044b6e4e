-- Rate limits that hold across every server process: one row per limited
-- thing (an administrator's invitations, mail to an address, a client's
-- guesses, an address's failed log-ins), keyed by the SHA-256 of its name
-- (a name that can be guessed, such as an address, can be found back from
-- it: the rows say who tried lately). tat is the generic cell rate
-- algorithm's "theoretical arrival time"; a row whose tat has passed holds
-- nothing and is pruned.
CREATE TABLE limits (
  key_hash {{.Hash}} NOT NULL PRIMARY KEY,
  tat {{.Time}} NOT NULL
){{.Options}}

--bun:split

CREATE INDEX limits_tat_idx ON limits (tat)
