-- +goose Up
-- Manager review and the walk-away (issue 10).

-- A coaching note is a decision too: the flag leaves the queue, and like a
-- keep it is not raised again until the score climbs or a new signal fires.
ALTER TABLE flags DROP CONSTRAINT flags_status_check;
ALTER TABLE flags ADD CONSTRAINT flags_status_check
    CHECK (status IN ('open', 'resolved', 'kept', 'snoozed', 'disqualified', 'coached'));
-- The touch whose logging took the deal out of the band (flag history).
ALTER TABLE flags ADD COLUMN resolved_by_touch bigint;
-- When a snooze ran out and the flag asked for attention again.
ALTER TABLE flags ADD COLUMN reopened_at timestamptz;
-- The snooze job looks for snoozes that ran out.
CREATE INDEX flags_snoozed_idx ON flags (snooze_until) WHERE status = 'snoozed';

-- A manager's note to the rep about a deal; shown until the rep acknowledges it.
CREATE TABLE coaching_notes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint      NOT NULL,
    deal_id         bigint      NOT NULL,
    flag_id         bigint,
    author_id       bigint      NOT NULL,
    rep_id          bigint      NOT NULL,
    note            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id)
);
CREATE INDEX coaching_notes_rep_idx ON coaching_notes (org_id, rep_id) WHERE acknowledged_at IS NULL;
CREATE INDEX coaching_notes_deal_idx ON coaching_notes (deal_id, created_at DESC);

-- Every close says why: close_reasons (since 00002) holds the picked reasons,
-- close_note what was typed besides. closed_points is the score the deal had
-- when it closed, shown beside its first new score when it is reopened;
-- freed_minutes is the time the deal had consumed when the rep walked away.
ALTER TABLE deals ADD COLUMN close_note text NOT NULL DEFAULT '';
ALTER TABLE deals ADD COLUMN closed_points smallint;
ALTER TABLE deals ADD COLUMN freed_minutes int;

-- The reasons and note of a close, on the stage change that closed the deal,
-- so the timeline tells why every time a deal closed.
ALTER TABLE deal_stage_changes ADD COLUMN reasons text[] NOT NULL DEFAULT '{}';
ALTER TABLE deal_stage_changes ADD COLUMN note text NOT NULL DEFAULT '';

-- The band of an open deal, written with its score (NULL when closed or not
-- scored), so a manager's flagged deals come from one index range per rep
-- instead of merging the team's deal ids with the org's band ids.
ALTER TABLE deals ADD COLUMN open_band text;
UPDATE deals d SET open_band = s.band FROM deal_scores s
WHERE s.deal_id = d.id AND d.stage IN ('lead', 'qualified', 'proposal', 'negotiation');
CREATE INDEX deals_owner_band_idx ON deals (org_id, owner_id, open_band, id) WHERE open_band IS NOT NULL;

-- GET /audit lists an org's events newest first.
CREATE INDEX audit_events_org_at_idx ON audit_events (org_id, at DESC, id DESC);

-- +goose Down
DROP INDEX audit_events_org_at_idx;
DROP INDEX deals_owner_band_idx;
ALTER TABLE deal_stage_changes DROP COLUMN note, DROP COLUMN reasons;
ALTER TABLE deals DROP COLUMN open_band, DROP COLUMN freed_minutes, DROP COLUMN closed_points, DROP COLUMN close_note;
DROP TABLE coaching_notes;
DROP INDEX flags_snoozed_idx;
ALTER TABLE flags DROP COLUMN reopened_at, DROP COLUMN resolved_by_touch;
UPDATE flags SET status = 'kept' WHERE status = 'coached';
ALTER TABLE flags DROP CONSTRAINT flags_status_check;
ALTER TABLE flags ADD CONSTRAINT flags_status_check
    CHECK (status IN ('open', 'resolved', 'kept', 'snoozed', 'disqualified'));
