-- A user's tokens, on their profile page and counted against the bound.
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, id)
