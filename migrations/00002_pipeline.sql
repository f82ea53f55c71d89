-- +goose Up
CREATE TABLE prospects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint      NOT NULL REFERENCES orgs (id),
    name       text        NOT NULL,
    website    text        NOT NULL DEFAULT '',
    industry   text        NOT NULL DEFAULT '',
    owner_id   bigint      NOT NULL,
    notes      text        NOT NULL DEFAULT '',
    -- name, website and every contact's name and email, kept by the store for search.
    search     text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
);
-- fastupdate off: prospects arrive one at a time, and a pending list would make
-- every search scan it linearly until the next vacuum.
CREATE INDEX prospects_search_trgm ON prospects USING gin (search gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX prospects_org_name_idx ON prospects (org_id, lower(name), id);

CREATE TABLE contacts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint      NOT NULL,
    prospect_id bigint      NOT NULL,
    name        text        NOT NULL,
    email       text        NOT NULL DEFAULT '',
    phone       text        NOT NULL DEFAULT '',
    title       text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id) ON DELETE CASCADE
);
CREATE INDEX contacts_prospect_idx ON contacts (prospect_id);

CREATE TABLE deals (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id           bigint      NOT NULL,
    prospect_id      bigint      NOT NULL,
    owner_id         bigint      NOT NULL,
    title            text        NOT NULL,
    stage            text        NOT NULL CHECK (stage IN ('lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost', 'disqualified')),
    amount           bigint      NOT NULL DEFAULT 0 CHECK (amount >= 0),
    list_price       bigint      CHECK (list_price >= 0),
    cost             bigint      CHECK (cost >= 0),
    currency         text        NOT NULL DEFAULT 'USD',
    expected_close   date,
    next_step        text        NOT NULL DEFAULT '',
    next_step_due    date,
    future_promise   boolean     NOT NULL DEFAULT false,
    close_reasons    text[]      NOT NULL DEFAULT '{}',
    came_back_at     timestamptz,
    stage_changed_at timestamptz NOT NULL DEFAULT now(),
    last_touch_at    timestamptz,
    version          int         NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
);
CREATE INDEX deals_owner_idx ON deals (org_id, owner_id, stage, id);
CREATE INDEX deals_org_stage_idx ON deals (org_id, stage, id);
CREATE INDEX deals_prospect_idx ON deals (prospect_id);
CREATE INDEX deals_title_trgm ON deals USING gin (title gin_trgm_ops) WITH (fastupdate = off);

CREATE TABLE deal_stage_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint      NOT NULL,
    deal_id    bigint      NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    from_stage text,
    to_stage   text        NOT NULL,
    by_user    bigint,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deal_stage_changes_deal_idx ON deal_stage_changes (deal_id, at);

CREATE TABLE touches (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint      NOT NULL,
    deal_id      bigint,
    prospect_id  bigint      NOT NULL,
    contact_id   bigint,
    rep_id       bigint      NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('call', 'email', 'text', 'voicemail', 'meeting', 'quote', 'note')),
    direction    text        NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    occurred_at  timestamptz NOT NULL,
    outcome      text        NOT NULL DEFAULT '' CHECK (outcome IN ('', 'connected', 'no_answer', 'left_voicemail', 'replied', 'no_show', 'rescheduled', 'declined', 'held')),
    duration_min int         CHECK (duration_min >= 0),
    quote_amount bigint      CHECK (quote_amount >= 0),
    word_count   int         CHECK (word_count >= 0),
    notes        text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);
CREATE INDEX touches_deal_idx ON touches (deal_id, occurred_at DESC, id DESC);
CREATE INDEX touches_prospect_idx ON touches (prospect_id, occurred_at DESC, id DESC);

-- +goose Down
DROP TABLE touches, deal_stage_changes, deals, contacts, prospects;
