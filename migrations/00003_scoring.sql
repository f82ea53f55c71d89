-- +goose Up
-- One row per saved version of an org's scoring rules; the highest version is in force.
CREATE TABLE scoring_rules (
    org_id     bigint      NOT NULL REFERENCES orgs (id),
    version    int         NOT NULL,
    rules      jsonb       NOT NULL,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, version)
);

CREATE TABLE deal_scores (
    deal_id       bigint PRIMARY KEY REFERENCES deals (id) ON DELETE CASCADE,
    org_id        bigint      NOT NULL,
    points        smallint    NOT NULL CHECK (points BETWEEN 0 AND 100),
    band          text        NOT NULL CHECK (band IN ('ok', 'watch', 'not_good_money')),
    signals       jsonb       NOT NULL DEFAULT '[]',
    rules_version int         NOT NULL,
    computed_at   timestamptz NOT NULL
);
CREATE INDEX deal_scores_band_idx ON deal_scores (org_id, band, points DESC);

CREATE TABLE flags (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint      NOT NULL,
    deal_id       bigint      NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    status        text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'kept', 'snoozed', 'disqualified')),
    points        smallint    NOT NULL,
    signals       text[]      NOT NULL DEFAULT '{}',
    opened_at     timestamptz NOT NULL,
    decided_by    bigint,
    decided_at    timestamptz,
    note          text        NOT NULL DEFAULT '',
    snooze_until  timestamptz,
    UNIQUE (org_id, id)
);
-- At most one flag per deal that still asks for attention.
CREATE UNIQUE INDEX flags_one_open_per_deal ON flags (deal_id) WHERE status IN ('open', 'snoozed');
CREATE INDEX flags_org_status_idx ON flags (org_id, status, opened_at);
CREATE INDEX flags_deal_idx ON flags (deal_id, opened_at DESC);

CREATE TABLE digests (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint      NOT NULL,
    user_id    bigint      NOT NULL REFERENCES users (id),
    iso_week   text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('rep', 'manager')),
    subject    text        NOT NULL,
    html       text        NOT NULL,
    body_text  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    UNIQUE (user_id, iso_week, kind)
);

-- +goose Down
DROP TABLE digests, flags, deal_scores, scoring_rules;
