-- +goose Up
-- The Monday digest (issue 13). A digests row is the outbox record of one
-- user's digest for one ISO week: it is written before anything is sent,
-- and sending claims it, so no digest goes out twice whatever retries,
-- restarts or second serve processes happen.
ALTER TABLE digests DROP CONSTRAINT digests_kind_check;
ALTER TABLE digests ADD CONSTRAINT digests_kind_check CHECK (kind IN ('rep', 'manager', 'admin'));
ALTER TABLE digests
    ADD COLUMN status     text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    ADD COLUMN attempts   int         NOT NULL DEFAULT 0,
    ADD COLUMN last_error text        NOT NULL DEFAULT '',
    ADD COLUMN message_id text        NOT NULL DEFAULT '',
    -- Set while one worker talks to the SMTP server; a row claimed and never
    -- released (the process died mid-send) is not sent again blindly.
    ADD COLUMN sending_since timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX digests_org_week_idx ON digests (org_id, iso_week, id);

-- A rep's touches of the last two weeks, for the digest's activity counts:
-- without it counting them reads the org's whole touches table.
CREATE INDEX touches_rep_idx ON touches (rep_id, occurred_at);

-- Server-side secrets shared by every process on this database (the key
-- that signs unsubscribe links), created on first use.
CREATE TABLE app_secrets (
    name       text PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE app_secrets;
DROP INDEX touches_rep_idx;
DROP INDEX digests_org_week_idx;
ALTER TABLE digests DROP COLUMN updated_at, DROP COLUMN sending_since, DROP COLUMN message_id,
    DROP COLUMN last_error, DROP COLUMN attempts, DROP COLUMN status;
DELETE FROM digests WHERE kind = 'admin';
ALTER TABLE digests DROP CONSTRAINT digests_kind_check;
ALTER TABLE digests ADD CONSTRAINT digests_kind_check CHECK (kind IN ('rep', 'manager'));
