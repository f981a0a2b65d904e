SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §16 gives the administration module as one-line descriptions only; the columns below follow
-- §18 (audit_logs kept 24 months), §19.2 (consent changes traced in audit_logs), §21.1 (audit_logs
-- partitioned by month on created_at) and §22.3 (the columns the audit trigger inserts).

-- spec §16: reports filed by users against content or accounts.
CREATE TABLE moderation_reports (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    reporter_id UUID,
    entity_type VARCHAR(50) NOT NULL,
    entity_id UUID NOT NULL,
    reported_user_id UUID,
    reason VARCHAR(30) NOT NULL,
    details TEXT,
    status VARCHAR(20) NOT NULL DEFAULT 'open',
    assigned_moderator_id UUID,
    resolution_note TEXT,
    resolved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_moderation_reports_users_reporter FOREIGN KEY (reporter_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT fk_moderation_reports_users_reported_user FOREIGN KEY (reported_user_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT fk_moderation_reports_users_assigned_moderator FOREIGN KEY (assigned_moderator_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT chk_moderation_reports_entity_type_valid CHECK (entity_type IN (
        'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
        'room', 'group', 'product', 'product_review', 'course')),
    CONSTRAINT chk_moderation_reports_reason_valid CHECK (reason IN (
        'spam', 'harassment', 'hate', 'copyright', 'explicit', 'impersonation', 'other')),
    CONSTRAINT chk_moderation_reports_status_valid CHECK (status IN ('open', 'in_review', 'resolved', 'dismissed')),
    CONSTRAINT chk_moderation_reports_details_length CHECK (LENGTH(details) <= 5000),
    CONSTRAINT chk_moderation_reports_resolved_at_closed CHECK ((status IN ('resolved', 'dismissed')) = (resolved_at IS NOT NULL))
);
CREATE INDEX idx_moderation_reports_reporter_id ON moderation_reports(reporter_id) WHERE reporter_id IS NOT NULL;
CREATE INDEX idx_moderation_reports_reported_user_id ON moderation_reports(reported_user_id) WHERE reported_user_id IS NOT NULL;
CREATE INDEX idx_moderation_reports_assigned_moderator_id ON moderation_reports(assigned_moderator_id)
    WHERE assigned_moderator_id IS NOT NULL;
-- All reports about one piece of content or account.
CREATE INDEX idx_moderation_reports_entity_type_entity_id ON moderation_reports(entity_type, entity_id);
-- The moderation queue, oldest first.
CREATE INDEX idx_moderation_reports_status_created_at ON moderation_reports(status, created_at) WHERE status IN ('open', 'in_review');
-- A user cannot pile up reports on the same thing while one of theirs is still pending.
CREATE UNIQUE INDEX uq_moderation_reports_reporter_entity_pending ON moderation_reports(reporter_id, entity_type, entity_id)
    WHERE status IN ('open', 'in_review');
CREATE TRIGGER trg_moderation_reports_updated_at BEFORE UPDATE ON moderation_reports
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE moderation_reports IS 'User reports: content or accounts flagged by users for moderators to review (spec §16)';
COMMENT ON COLUMN moderation_reports.reporter_id IS 'User who filed the report; NULL once that account is deleted. Never shown to the reported user';
COMMENT ON COLUMN moderation_reports.entity_type IS 'Kind of object reported';
COMMENT ON COLUMN moderation_reports.entity_id IS 'Id of the object reported; no foreign key, the report is kept as evidence after the object is deleted';
COMMENT ON COLUMN moderation_reports.reported_user_id IS 'Owner of the reported content, or the reported account itself';
COMMENT ON COLUMN moderation_reports.reason IS 'spam, harassment, hate, copyright, explicit, impersonation or other';
COMMENT ON COLUMN moderation_reports.details IS 'Free text written by the reporter';
COMMENT ON COLUMN moderation_reports.status IS 'open, in_review, resolved or dismissed';
COMMENT ON COLUMN moderation_reports.assigned_moderator_id IS 'Moderator handling the report';
COMMENT ON COLUMN moderation_reports.resolution_note IS 'Outcome explained to the reporter';
COMMENT ON COLUMN moderation_reports.resolved_at IS 'Set exactly when status becomes resolved or dismissed';

-- spec §16: every action a moderator takes, with its statement of reasons.
-- moderator_id is NOT NULL and RESTRICT: an action must stay attributable to the moderator who took it.
-- Accounts are soft-deleted and anonymised rather than deleted (spec §19.3), so RESTRICT only blocks a
-- hard delete, which for a moderator must first be decided about (as orders, ADR 0005).
-- target_user_id is CASCADE: sanctions are personal data of the sanctioned person and go with the account.
CREATE TABLE moderation_actions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    report_id UUID,
    moderator_id UUID NOT NULL,
    target_user_id UUID,
    entity_type VARCHAR(50),
    entity_id UUID,
    action_type VARCHAR(20) NOT NULL,
    reason TEXT NOT NULL,
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_moderation_actions_moderation_reports FOREIGN KEY (report_id) REFERENCES moderation_reports(id) ON DELETE SET NULL,
    CONSTRAINT fk_moderation_actions_users_moderator FOREIGN KEY (moderator_id) REFERENCES users(id) ON DELETE RESTRICT,
    CONSTRAINT fk_moderation_actions_users_target_user FOREIGN KEY (target_user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT chk_moderation_actions_action_type_valid CHECK (action_type IN (
        'warn', 'hide_content', 'delete_content', 'mute', 'suspend', 'ban', 'restore')),
    CONSTRAINT chk_moderation_actions_entity_type_valid CHECK (entity_type IN (
        'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
        'room', 'group', 'product', 'product_review', 'course')),
    CONSTRAINT chk_moderation_actions_entity_both_or_neither CHECK ((entity_type IS NULL) = (entity_id IS NULL)),
    CONSTRAINT chk_moderation_actions_target_present CHECK (target_user_id IS NOT NULL OR entity_id IS NOT NULL),
    CONSTRAINT chk_moderation_actions_target_user_required CHECK (
        action_type NOT IN ('warn', 'mute', 'suspend', 'ban') OR target_user_id IS NOT NULL),
    CONSTRAINT chk_moderation_actions_reason_length CHECK (LENGTH(reason) >= 1 AND LENGTH(reason) <= 5000),
    CONSTRAINT chk_moderation_actions_expires_at_temporary CHECK (expires_at IS NULL OR action_type IN ('mute', 'suspend', 'hide_content')),
    CONSTRAINT chk_moderation_actions_expires_at_future CHECK (expires_at > created_at)
);
CREATE INDEX idx_moderation_actions_report_id ON moderation_actions(report_id) WHERE report_id IS NOT NULL;
CREATE INDEX idx_moderation_actions_moderator_id ON moderation_actions(moderator_id);
-- FK index, and the sanction history of an account, newest first.
CREATE INDEX idx_moderation_actions_target_user_id_created_at ON moderation_actions(target_user_id, created_at DESC)
    WHERE target_user_id IS NOT NULL;
CREATE INDEX idx_moderation_actions_entity_type_entity_id ON moderation_actions(entity_type, entity_id) WHERE entity_id IS NOT NULL;
-- The job lifting temporary sanctions.
CREATE INDEX idx_moderation_actions_expires_at ON moderation_actions(expires_at) WHERE expires_at IS NOT NULL;
CREATE TRIGGER trg_moderation_actions_updated_at BEFORE UPDATE ON moderation_actions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE moderation_actions IS 'Moderator actions: warnings, hidden or deleted content, mutes, suspensions, bans and their reversal (spec §16)';
COMMENT ON COLUMN moderation_actions.report_id IS 'Report that led to the action; NULL for actions taken without a report';
COMMENT ON COLUMN moderation_actions.moderator_id IS 'Moderator or admin who took the action (RESTRICT: actions stay attributable)';
COMMENT ON COLUMN moderation_actions.target_user_id IS 'Account sanctioned or owning the content acted upon';
COMMENT ON COLUMN moderation_actions.entity_type IS 'Kind of content acted upon; NULL for actions on the account only';
COMMENT ON COLUMN moderation_actions.entity_id IS 'Id of that content; no foreign key, the action outlives the content';
COMMENT ON COLUMN moderation_actions.action_type IS 'warn, hide_content, delete_content, mute, suspend, ban or restore (lifts an earlier action)';
COMMENT ON COLUMN moderation_actions.reason IS 'Statement of reasons given to the affected user';
COMMENT ON COLUMN moderation_actions.expires_at IS 'End of a temporary mute, suspension or hiding; NULL means permanent';

-- spec §16, §21.1, §22.3: audit trail written by the audit trigger, partitioned by month on created_at
-- (ADR 0003: PK (id, created_at)); partitions older than 24 months are archived then dropped (spec §18.1).
-- No ip_address: the trigger runs inside the database and cannot know the client's address (inet_client_addr()
-- is the application server), and security IPs already live in login_attempts for 90 days (§18.1).
-- No GIN index on old_data/new_data: the trail is read by table_name/record_id or by acting user, not by content.
CREATE TABLE audit_logs (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    table_name VARCHAR(63) NOT NULL,
    operation VARCHAR(10) NOT NULL,
    record_id UUID NOT NULL,
    old_data JSONB,
    new_data JSONB,
    user_id UUID,
    transaction_id BIGINT NOT NULL DEFAULT txid_current(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT fk_audit_logs_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT chk_audit_logs_operation_valid CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    CONSTRAINT chk_audit_logs_data_matches_operation CHECK (
        (operation <> 'INSERT' OR (old_data IS NULL AND new_data IS NOT NULL))
        AND (operation <> 'UPDATE' OR new_data IS NOT NULL)
        AND (operation <> 'DELETE' OR (old_data IS NOT NULL AND new_data IS NULL)))
) PARTITION BY RANGE (created_at);
-- History of one row, newest first.
CREATE INDEX idx_audit_logs_table_name_record_id_created_at ON audit_logs(table_name, record_id, created_at DESC);
-- FK index, and what one user did (GDPR access requests).
CREATE INDEX idx_audit_logs_user_id_created_at ON audit_logs(user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE TRIGGER trg_audit_logs_updated_at BEFORE UPDATE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE audit_logs IS 'System audit trail (partitioned by month, retention 24 months then cold storage; spec §16, §18.1, §22.3)';
COMMENT ON COLUMN audit_logs.table_name IS 'Table whose row changed (TG_TABLE_NAME)';
COMMENT ON COLUMN audit_logs.operation IS 'INSERT, UPDATE or DELETE (TG_OP)';
COMMENT ON COLUMN audit_logs.record_id IS 'id of the changed row';
COMMENT ON COLUMN audit_logs.old_data IS 'Row before the change: set for DELETE, and for UPDATE of tables whose previous state must be kept (consent changes, spec §19.2)';
COMMENT ON COLUMN audit_logs.new_data IS 'Row after the change: set for INSERT and UPDATE. Secrets (password hashes, tokens) must be removed by the trigger';
COMMENT ON COLUMN audit_logs.user_id IS 'Acting user, taken from the transaction''s session setting; NULL for system jobs and once the account is deleted';
COMMENT ON COLUMN audit_logs.transaction_id IS 'txid_current() of the writing transaction: groups the changes made together';
SELECT ensure_range_partitions('audit_logs', 'month', 3);

-- spec §16: application settings editable by admins without a deployment.
CREATE TABLE system_configs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    key VARCHAR(100) NOT NULL,
    value JSONB NOT NULL,
    description TEXT,
    is_public BOOLEAN NOT NULL DEFAULT false,
    updated_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_system_configs_users FOREIGN KEY (updated_by) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT uq_system_configs_key UNIQUE (key),
    CONSTRAINT chk_system_configs_key_format CHECK (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$')
);
CREATE INDEX idx_system_configs_updated_by ON system_configs(updated_by) WHERE updated_by IS NOT NULL;
CREATE TRIGGER trg_system_configs_updated_at BEFORE UPDATE ON system_configs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE system_configs IS 'Application settings (spec §16). Never secrets: they would be copied into audit_logs, backups and exports; those stay in the secret store';
COMMENT ON COLUMN system_configs.key IS 'Dotted lowercase name, e.g. uploads.max_file_size';
COMMENT ON COLUMN system_configs.value IS 'Setting value as JSON (number, string, boolean, object or array)';
COMMENT ON COLUMN system_configs.is_public IS 'Whether the value may be sent to client applications';
COMMENT ON COLUMN system_configs.updated_by IS 'Admin who last changed the value';

-- spec §16: feature toggles with progressive rollout.
CREATE TABLE feature_flags (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    key VARCHAR(100) NOT NULL,
    description TEXT,
    is_enabled BOOLEAN NOT NULL DEFAULT false,
    rollout_percentage INTEGER NOT NULL DEFAULT 0,
    conditions JSONB NOT NULL DEFAULT '{}'::jsonb,
    updated_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_feature_flags_users FOREIGN KEY (updated_by) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT uq_feature_flags_key UNIQUE (key),
    CONSTRAINT chk_feature_flags_key_format CHECK (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
    CONSTRAINT chk_feature_flags_rollout_percentage_range CHECK (rollout_percentage >= 0 AND rollout_percentage <= 100),
    CONSTRAINT chk_feature_flags_conditions_object CHECK (jsonb_typeof(conditions) = 'object')
);
CREATE INDEX idx_feature_flags_updated_by ON feature_flags(updated_by) WHERE updated_by IS NOT NULL;
CREATE TRIGGER trg_feature_flags_updated_at BEFORE UPDATE ON feature_flags
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE feature_flags IS 'Feature toggles (spec §16)';
COMMENT ON COLUMN feature_flags.key IS 'Dotted lowercase name, e.g. marketplace.licenses_v2';
COMMENT ON COLUMN feature_flags.is_enabled IS 'Master switch: when false the feature is off for everyone';
COMMENT ON COLUMN feature_flags.rollout_percentage IS 'Share of users (0-100) who get the feature when enabled, by a stable hash of the user id';
COMMENT ON COLUMN feature_flags.conditions IS 'Declared targeting (roles, countries, user ids of testers); never behavioural data (spec §17)';
COMMENT ON COLUMN feature_flags.updated_by IS 'Admin who last changed the flag';
