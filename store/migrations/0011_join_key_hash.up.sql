-- The key of a company's join page is kept as its SHA-256, like every other
-- secret. Migrate moves the keys kept in plain text (join_key, no longer
-- written) to join_key_hash, so that the pages stay at their addresses.
ALTER TABLE companies ADD COLUMN join_key_hash {{.Hash}} NULL

--bun:split

CREATE UNIQUE INDEX companies_join_key_hash_uq ON companies (join_key_hash)
