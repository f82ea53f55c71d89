-- +goose Up
-- Every logged touch updates its deal (last_touch_at) and usually its
-- score. With autovacuum's default threshold (20 % of the table) a quarter
-- of a million deals gather 50,000 dead rows before a vacuum, and in the
-- meantime the visibility map decays: the index-only scans behind the deal
-- lists turn into heap reads (on the benchmark org, 1,751 heap fetches for
-- one manager's band filter after a few minutes of touch writes). Vacuuming
-- these two tables after 2 % keeps them index-only for a fraction of a
-- second of vacuum per 5,000 updates.
ALTER TABLE deals SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE deal_scores SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);

-- +goose Down
ALTER TABLE deals RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor);
ALTER TABLE deal_scores RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor);
