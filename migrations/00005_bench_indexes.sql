-- +goose Up
-- The deals list filtered by band (a manager's "not good money" view) joins
-- the team's deal ids, read from deals_owner_idx alone, with the org's deal
-- ids in that band; with deal_id in this index that side needs no table
-- access either. Measured on the benchmark org (60,000 open deals, a manager
-- of 11 reps): see BENCHMARKS.md.
CREATE INDEX deal_scores_band_deal_idx ON deal_scores (org_id, band, deal_id);

-- +goose Down
DROP INDEX deal_scores_band_deal_idx;
