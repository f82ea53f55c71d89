-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE orgs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL,
    timezone        text        NOT NULL DEFAULT 'UTC',
    currency        text        NOT NULL DEFAULT 'USD',
    business_start  smallint    NOT NULL DEFAULT 9  CHECK (business_start BETWEEN 0 AND 23),
    business_end    smallint    NOT NULL DEFAULT 18 CHECK (business_end BETWEEN 1 AND 24),
    walkaway_template text      NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         bigint      NOT NULL REFERENCES orgs (id),
    email          text        NOT NULL,
    name           text        NOT NULL,
    password_hash  text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    team_id        bigint,
    timezone       text        NOT NULL DEFAULT 'UTC',
    digest_opt_out boolean     NOT NULL DEFAULT false,
    disabled       boolean     NOT NULL DEFAULT false,
    -- bumped when a user is disabled or changes password: older sessions stop working.
    session_epoch  int         NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_team_idx ON users (org_id, team_id);

CREATE TABLE teams (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint      NOT NULL REFERENCES orgs (id),
    name       text        NOT NULL,
    manager_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, name),
    FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id)
);
CREATE INDEX teams_manager_idx ON teams (org_id, manager_id);

ALTER TABLE users ADD FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id);

-- scs pgxstore sessions.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins per key ("email:..." or "ip:..."), for rate limiting across processes.
CREATE TABLE login_failures (
    key          text PRIMARY KEY,
    failures     int         NOT NULL,
    window_start timestamptz NOT NULL
);

CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint      NOT NULL REFERENCES orgs (id),
    actor_id    bigint,
    action      text        NOT NULL,
    entity      text        NOT NULL,
    entity_id   bigint      NOT NULL,
    before      jsonb,
    after       jsonb,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_entity_idx ON audit_events (org_id, entity, entity_id, at DESC);

-- +goose Down
DROP TABLE audit_events, login_failures, sessions;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_id_team_id_fkey;
DROP TABLE teams, users, orgs;
