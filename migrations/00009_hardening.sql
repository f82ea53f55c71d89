-- +goose Up
-- One row per create form sent with an idempotency key: a double click, a
-- back-and-resubmit or a retry after a lost answer finds the record the
-- first send made instead of making another. Claimed in the transaction
-- that creates the record, so the two commit or roll back together.
-- Keyed and linked by org_id too, like every org table (see 00011).
CREATE TABLE idempotency_keys (
    org_id     bigint      NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL,
    key        text        NOT NULL CHECK (length(key) BETWEEN 16 AND 64),
    kind       text        NOT NULL,
    record_id  bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id, key),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
