-- Counting the users who hold a subscription (SeatUse) reads these, not
-- every grant of the company.
CREATE INDEX user_subscriptions_subscription_idx ON user_subscriptions (company_id, subscription_id)
