-- +goose Up
-- Ready to shard by org_id (Citus): every primary key, unique constraint
-- and foreign key between org tables includes org_id, so that each org's
-- rows, and every check between them, can live on one node. The keys on id
-- alone become (org_id, id); the foreign keys that followed a bare id now
-- follow (org_id, id). TestTenancy_ReadyForDistribution checks the catalog.

-- Foreign keys onto the constraints being replaced go first.
ALTER TABLE touches DROP CONSTRAINT touches_org_id_contact_id_fkey,
                    DROP CONSTRAINT touches_org_id_deal_id_fkey,
                    DROP CONSTRAINT touches_org_id_prospect_id_fkey,
                    DROP CONSTRAINT touches_org_id_rep_id_fkey;
ALTER TABLE deal_scores DROP CONSTRAINT deal_scores_deal_id_fkey;
ALTER TABLE deal_stage_changes DROP CONSTRAINT deal_stage_changes_deal_id_fkey;
ALTER TABLE flags DROP CONSTRAINT flags_deal_id_fkey;
ALTER TABLE contacts DROP CONSTRAINT contacts_org_id_prospect_id_fkey;
ALTER TABLE deals DROP CONSTRAINT deals_org_id_prospect_id_fkey,
                  DROP CONSTRAINT deals_org_id_owner_id_fkey;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_id_team_id_fkey;
ALTER TABLE digests DROP CONSTRAINT digests_user_id_fkey;
ALTER TABLE prospects DROP CONSTRAINT prospects_org_id_owner_id_fkey;
ALTER TABLE teams DROP CONSTRAINT teams_org_id_manager_id_fkey;
ALTER TABLE coaching_notes DROP CONSTRAINT coaching_notes_org_id_deal_id_fkey,
                           DROP CONSTRAINT coaching_notes_org_id_author_id_fkey,
                           DROP CONSTRAINT coaching_notes_org_id_rep_id_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_org_id_user_id_fkey;

-- Primary keys (org_id, id) in place of id and of the UNIQUE (org_id, id)
-- that stood beside it.
ALTER TABLE users DROP CONSTRAINT users_pkey, DROP CONSTRAINT users_org_id_id_key, ADD PRIMARY KEY (org_id, id);
ALTER TABLE teams DROP CONSTRAINT teams_pkey, DROP CONSTRAINT teams_org_id_id_key, ADD PRIMARY KEY (org_id, id);
ALTER TABLE prospects DROP CONSTRAINT prospects_pkey, DROP CONSTRAINT prospects_org_id_id_key, ADD PRIMARY KEY (org_id, id);
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, DROP CONSTRAINT contacts_org_id_id_key, ADD PRIMARY KEY (org_id, id);
ALTER TABLE deals DROP CONSTRAINT deals_pkey, DROP CONSTRAINT deals_org_id_id_key, ADD PRIMARY KEY (org_id, id);
ALTER TABLE flags DROP CONSTRAINT flags_pkey, DROP CONSTRAINT flags_org_id_id_key, ADD PRIMARY KEY (org_id, id);
ALTER TABLE touches DROP CONSTRAINT touches_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE deal_stage_changes DROP CONSTRAINT deal_stage_changes_pkey, ADD PRIMARY KEY (org_id, id);
ALTER TABLE digests DROP CONSTRAINT digests_pkey, ADD PRIMARY KEY (org_id, id),
    DROP CONSTRAINT digests_user_id_iso_week_kind_key, ADD UNIQUE (org_id, user_id, iso_week, kind);
ALTER TABLE deal_scores DROP CONSTRAINT deal_scores_pkey, ADD PRIMARY KEY (org_id, deal_id);
ALTER TABLE coaching_notes DROP CONSTRAINT coaching_notes_pkey, ADD PRIMARY KEY (org_id, id);
DROP INDEX flags_one_open_per_deal;
CREATE UNIQUE INDEX flags_one_open_per_deal ON flags (org_id, deal_id) WHERE status IN ('open', 'snoozed');

-- The foreign keys again, each on (org_id, ...).
ALTER TABLE teams ADD FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id);
ALTER TABLE prospects ADD FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id);
ALTER TABLE contacts ADD FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id) ON DELETE CASCADE;
ALTER TABLE deals ADD FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id),
                  ADD FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id);
ALTER TABLE deal_scores ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE;
ALTER TABLE deal_stage_changes ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE;
ALTER TABLE flags ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE;
ALTER TABLE digests ADD FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
ALTER TABLE touches ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
                    ADD FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id),
                    ADD FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id),
                    ADD FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id);
ALTER TABLE coaching_notes ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
                           ADD FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
                           ADD FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id);
ALTER TABLE idempotency_keys ADD FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE coaching_notes DROP CONSTRAINT coaching_notes_org_id_deal_id_fkey,
                           DROP CONSTRAINT coaching_notes_org_id_author_id_fkey,
                           DROP CONSTRAINT coaching_notes_org_id_rep_id_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_org_id_user_id_fkey;
ALTER TABLE touches DROP CONSTRAINT touches_org_id_deal_id_fkey, DROP CONSTRAINT touches_org_id_prospect_id_fkey,
                    DROP CONSTRAINT touches_org_id_contact_id_fkey, DROP CONSTRAINT touches_org_id_rep_id_fkey;
ALTER TABLE digests DROP CONSTRAINT digests_org_id_user_id_fkey;
ALTER TABLE flags DROP CONSTRAINT flags_org_id_deal_id_fkey;
ALTER TABLE deal_stage_changes DROP CONSTRAINT deal_stage_changes_org_id_deal_id_fkey;
ALTER TABLE deal_scores DROP CONSTRAINT deal_scores_org_id_deal_id_fkey;
ALTER TABLE deals DROP CONSTRAINT deals_org_id_prospect_id_fkey, DROP CONSTRAINT deals_org_id_owner_id_fkey;
ALTER TABLE contacts DROP CONSTRAINT contacts_org_id_prospect_id_fkey;
ALTER TABLE prospects DROP CONSTRAINT prospects_org_id_owner_id_fkey;
ALTER TABLE teams DROP CONSTRAINT teams_org_id_manager_id_fkey;

DROP INDEX flags_one_open_per_deal;
CREATE UNIQUE INDEX flags_one_open_per_deal ON flags (deal_id) WHERE status IN ('open', 'snoozed');
ALTER TABLE deal_scores DROP CONSTRAINT deal_scores_pkey, ADD PRIMARY KEY (deal_id);
ALTER TABLE coaching_notes DROP CONSTRAINT coaching_notes_pkey, ADD PRIMARY KEY (id);
ALTER TABLE digests DROP CONSTRAINT digests_org_id_user_id_iso_week_kind_key, ADD UNIQUE (user_id, iso_week, kind),
    DROP CONSTRAINT digests_pkey, ADD PRIMARY KEY (id);
ALTER TABLE deal_stage_changes DROP CONSTRAINT deal_stage_changes_pkey, ADD PRIMARY KEY (id);
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (id);
ALTER TABLE touches DROP CONSTRAINT touches_pkey, ADD PRIMARY KEY (id);
ALTER TABLE flags DROP CONSTRAINT flags_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (org_id, id);
ALTER TABLE deals DROP CONSTRAINT deals_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (org_id, id);
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (org_id, id);
ALTER TABLE prospects DROP CONSTRAINT prospects_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (org_id, id);
ALTER TABLE teams DROP CONSTRAINT teams_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (org_id, id);
ALTER TABLE users DROP CONSTRAINT users_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (org_id, id);

ALTER TABLE teams ADD FOREIGN KEY (org_id, manager_id) REFERENCES users (org_id, id);
ALTER TABLE prospects ADD FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id);
ALTER TABLE contacts ADD FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id) ON DELETE CASCADE;
ALTER TABLE deals ADD FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id),
                  ADD FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id);
ALTER TABLE deal_scores ADD FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE CASCADE;
ALTER TABLE deal_stage_changes ADD FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE CASCADE;
ALTER TABLE flags ADD FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE CASCADE;
ALTER TABLE digests ADD FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE touches ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
                    ADD FOREIGN KEY (org_id, prospect_id) REFERENCES prospects (org_id, id),
                    ADD FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id),
                    ADD FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id);
ALTER TABLE coaching_notes ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id) ON DELETE CASCADE,
                           ADD FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
                           ADD FOREIGN KEY (org_id, rep_id) REFERENCES users (org_id, id);
ALTER TABLE idempotency_keys ADD FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE;
