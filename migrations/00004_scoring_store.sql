-- +goose Up
-- The org's 90th percentile of touches per 1,000 of value on won deals, which
-- effort_vs_value compares a deal with. It is refreshed by the full rescore
-- (daily), not on every touch; 0 means too little history, so the fallback applies.
ALTER TABLE orgs ADD COLUMN effort_p90 double precision NOT NULL DEFAULT 0;

-- The hints of the score card ("enter the cost to check the margin"), beside
-- its signals, so the card can be rebuilt from the stored score alone.
ALTER TABLE deal_scores ADD COLUMN hints jsonb NOT NULL DEFAULT '[]';
-- A hash of the signals and hints: the full rescore compares it with the new
-- score's and leaves unchanged rows alone instead of rewriting every score.
ALTER TABLE deal_scores ADD COLUMN fingerprint bigint NOT NULL DEFAULT 0;

-- The deal index carries every column scoring reads, so a deal's touches
-- come from an index-only scan. Touches arrive in time order, which spreads
-- one deal's touches over the whole table: without this, loading them reads
-- a table page per touch, and the full rescore of a large org reads the
-- table many times over instead of a quarter of this index once.
DROP INDEX touches_deal_idx;
CREATE INDEX touches_deal_idx ON touches (deal_id, occurred_at DESC, id DESC)
    INCLUDE (org_id, kind, direction, outcome, quote_amount, word_count);

-- +goose Down
DROP INDEX touches_deal_idx;
CREATE INDEX touches_deal_idx ON touches (deal_id, occurred_at DESC, id DESC);
ALTER TABLE deal_scores DROP COLUMN fingerprint, DROP COLUMN hints;
ALTER TABLE orgs DROP COLUMN effort_p90;
