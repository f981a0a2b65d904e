SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0001-data-lifecycle-triggers-and-views.md

-- The comments as 0014 wrote them.
COMMENT ON COLUMN audit_logs.user_id IS 'Acting user, taken from the transaction''s session setting; NULL for system jobs and once the account is deleted';
COMMENT ON COLUMN audit_logs.new_data IS 'Row after the change: set for INSERT and UPDATE. Secrets (password hashes, tokens) must be removed by the trigger';
COMMENT ON COLUMN audit_logs.old_data IS 'Row before the change: set for DELETE, and for UPDATE of tables whose previous state must be kept (consent changes, spec §19.2)';

DROP TRIGGER trg_feature_flags_audit ON feature_flags;
DROP TRIGGER trg_system_configs_audit ON system_configs;
DROP TRIGGER trg_moderation_actions_audit ON moderation_actions;
DROP TRIGGER trg_moderation_reports_audit ON moderation_reports;
DROP TRIGGER trg_discount_codes_audit ON discount_codes;
DROP TRIGGER trg_seller_payouts_audit ON seller_payouts;
DROP TRIGGER trg_transactions_audit ON transactions;
DROP TRIGGER trg_order_items_audit ON order_items;
DROP TRIGGER trg_orders_audit ON orders;
DROP TRIGGER trg_federated_identities_audit ON federated_identities;
DROP TRIGGER trg_two_factor_configs_audit ON two_factor_configs;
DROP TRIGGER trg_user_roles_audit ON user_roles;
DROP TRIGGER trg_users_audit ON users;

DROP FUNCTION audit_record_change();
DROP FUNCTION audit_redact(jsonb, jsonb);
