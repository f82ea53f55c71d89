-- +goose Up
-- One row per create form sent with an idempotency key: a double click, a
-- back-and-resubmit or a retry after a lost answer finds the record the
-- first send made instead of making another. Claimed in the transaction
-- that creates the record, so the two commit or roll back together.
CREATE TABLE idempotency_keys (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        text        NOT NULL CHECK (length(key) BETWEEN 16 AND 64),
    org_id     bigint      NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    record_id  bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
