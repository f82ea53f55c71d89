-- +goose Up
-- The back-test's per-deal results, kept per viewer scope, period and mode
-- (query) so the outcomes report answers without rescoring every closed
-- deal on each view. A row is used only while the rules it was computed
-- with (rules_key: version and effort percentile) and the closed deals it
-- read (stamp: their count and row versions) are unchanged.
CREATE TABLE outcome_runs (
    org_id      bigint      NOT NULL REFERENCES orgs (id),
    scope       text        NOT NULL,
    query       text        NOT NULL,
    rules_key   text        NOT NULL,
    stamp       text        NOT NULL,
    rows        bytea       NOT NULL,
    deals       int         NOT NULL,
    computed_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, scope, query)
);

-- Closed deals by when they closed, for the report's period.
CREATE INDEX deals_closed_idx ON deals (org_id, stage_changed_at)
    WHERE stage IN ('won', 'lost', 'disqualified');

-- +goose Down
DROP INDEX deals_closed_idx;
DROP TABLE outcome_runs;
