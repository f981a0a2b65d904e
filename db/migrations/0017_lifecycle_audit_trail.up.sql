SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0001-data-lifecycle-triggers-and-views.md

-- spec §22.3, §19.2: audit trail of the sensitive tables, written by one generic trigger into audit_logs.
-- The spec's audit_trigger() records the row's owner instead of the acting user (and fails on users, which has
-- no user_id column), keeps no previous state on UPDATE, and copies password hashes and tokens into the log:
-- ADR 0013 describes what replaces it.

-- ADR 0013: secrets never reach audit_logs. A key is secret when it is one of the listed column names, or when
-- its name ends like a credential (password, secret, token, hash, salt, credentials, api/private/... key,
-- backup/recovery codes; any case, so nested camelCase keys such as "clientSecret" are caught too). Names such
-- as token_version, token_expires_at or last_password_change_at do not end like a credential and are kept.
-- Objects and arrays are walked, so a secret nested in a JSONB column (system_configs.value,
-- federated_identities.provider_profile_data, transactions.metadata) is redacted as well.
-- A secret's value becomes the string '[redacted]' and its key stays; NULL stays NULL (no secret to hide).
-- When `previous` (the row before an UPDATE) is given, a secret whose value differs from the previous one
-- becomes '[redacted:changed]' instead, so a password or TOTP secret rotation stays visible in the trail.
CREATE FUNCTION audit_redact(data jsonb, previous jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    secret_columns CONSTANT text[] := ARRAY[
        'password_hash',          -- users, password_history
        'totp_secret',            -- two_factor_configs
        'backup_codes',           -- two_factor_configs
        'access_token',           -- federated_identities
        'refresh_token',          -- federated_identities
        'token', 'token_hash',    -- refresh_tokens, password_reset_tokens, email_verification_tokens
        'license_key',            -- order_items: a bearer credential of the buyer
        'encrypted_credentials'   -- cloud storage credentials
    ];
    secret_name_pattern CONSTANT text :=
        '(password|passwd|secret|token|hash|salt|credentials?|(api|private|secret|signing|encryption|license)_?key|(backup|recovery)_?codes)$';
BEGIN
    -- One query per object or array; only nested objects and arrays recurse.
    IF jsonb_typeof(data) = 'object' THEN
        RETURN COALESCE((
            SELECT jsonb_object_agg(entry.key, CASE
                WHEN (entry.key = ANY (secret_columns) OR entry.key ~* secret_name_pattern)
                     AND jsonb_typeof(entry.value) <> 'null' THEN
                    CASE WHEN jsonb_typeof(previous) = 'object' AND (previous -> entry.key) IS DISTINCT FROM entry.value
                         THEN '"[redacted:changed]"'::jsonb ELSE '"[redacted]"'::jsonb END
                WHEN jsonb_typeof(entry.value) IN ('object', 'array') THEN
                    audit_redact(entry.value, CASE WHEN jsonb_typeof(previous) = 'object' THEN previous -> entry.key END)
                ELSE entry.value
            END)
            FROM jsonb_each(data) AS entry), '{}'::jsonb);
    ELSIF jsonb_typeof(data) = 'array' THEN
        RETURN COALESCE((
            SELECT jsonb_agg(CASE
                WHEN jsonb_typeof(element.value) IN ('object', 'array') THEN
                    audit_redact(element.value,
                        CASE WHEN jsonb_typeof(previous) = 'array' THEN previous -> (element.position - 1)::integer END)
                ELSE element.value
            END ORDER BY element.position)
            FROM jsonb_array_elements(data) WITH ORDINALITY AS element(value, position)), '[]'::jsonb);
    END IF;
    RETURN data;
END;
$$;
COMMENT ON FUNCTION audit_redact(jsonb, jsonb) IS
    'Copy of a row as JSONB with every secret value replaced by ''[redacted]'' (''[redacted:changed]'' when it differs from previous); used for every audited table (spec §22.3, ADR 0013)';

-- ADR 0013: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on an audited table (every one has a UUID id).
-- old_data is the row before (UPDATE, DELETE), new_data the row after (INSERT, UPDATE), both through audit_redact.
-- user_id is the acting user: the service runs SET LOCAL veza.actor_id = '<uuid>' in the transaction. It is NULL
-- when the setting is unset, empty, not a canonical UUID, or names no existing user (a bad id, or an account
-- deleting its own row): the audit never makes a legitimate write fail. The actor's row is locked FOR KEY SHARE,
-- the lock audit_logs' foreign key check takes anyway, so a concurrent deletion of the actor cannot make that
-- check fail after this one passed.
-- An UPDATE that changes nothing but updated_at, and the columns named as trigger arguments (bookkeeping such as
-- users.last_login_at, already traced by login_attempts), writes no audit row.
CREATE FUNCTION audit_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    untracked_columns text[] := ARRAY['updated_at'] || TG_ARGV;
    actor_setting text;
    actor uuid;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_row := to_jsonb(OLD);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_row := to_jsonb(NEW);
    END IF;
    -- Compared before redaction: a change of a secret alone is still a change.
    IF TG_OP = 'UPDATE' AND (old_row - untracked_columns) = (new_row - untracked_columns) THEN
        RETURN NULL;
    END IF;

    actor_setting := current_setting('veza.actor_id', true);
    IF actor_setting ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        actor := actor_setting::uuid;
        PERFORM 1 FROM users WHERE id = actor FOR KEY SHARE;
        IF NOT FOUND THEN
            actor := NULL;
        END IF;
    END IF;

    INSERT INTO audit_logs (table_name, operation, record_id, old_data, new_data, user_id)
    VALUES (TG_TABLE_NAME, TG_OP, (COALESCE(new_row, old_row) ->> 'id')::uuid,
            audit_redact(old_row), audit_redact(new_row, old_row), actor);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION audit_record_change() IS
    'AFTER row trigger writing audit_logs: acting user from veza.actor_id, old and new row with secrets redacted; arguments name columns whose change alone is not audited (spec §22.3, §19.2, ADR 0013)';

-- spec §22.3 names users and orders; §19.2 requires consent changes (users) to be traced. The others hold
-- credentials, roles, money, moderation decisions or platform settings.
CREATE TRIGGER trg_users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_record_change('last_login_at', 'last_login_ip', 'login_count');
CREATE TRIGGER trg_user_roles_audit AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_two_factor_configs_audit AFTER INSERT OR UPDATE OR DELETE ON two_factor_configs
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_federated_identities_audit AFTER INSERT OR UPDATE OR DELETE ON federated_identities
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_order_items_audit AFTER INSERT OR UPDATE OR DELETE ON order_items
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_transactions_audit AFTER INSERT OR UPDATE OR DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_seller_payouts_audit AFTER INSERT OR UPDATE OR DELETE ON seller_payouts
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_discount_codes_audit AFTER INSERT OR UPDATE OR DELETE ON discount_codes
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_moderation_reports_audit AFTER INSERT OR UPDATE OR DELETE ON moderation_reports
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_moderation_actions_audit AFTER INSERT OR UPDATE OR DELETE ON moderation_actions
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_system_configs_audit AFTER INSERT OR UPDATE OR DELETE ON system_configs
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
CREATE TRIGGER trg_feature_flags_audit AFTER INSERT OR UPDATE OR DELETE ON feature_flags
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();

-- The comments of 0014 announced what the trigger would do; they now say what it does.
COMMENT ON COLUMN audit_logs.old_data IS 'Row before the change (UPDATE, DELETE), secrets replaced by ''[redacted]'' (ADR 0013)';
COMMENT ON COLUMN audit_logs.new_data IS 'Row after the change (INSERT, UPDATE), secrets replaced by ''[redacted]'', or ''[redacted:changed]'' when the UPDATE changed them (ADR 0013)';
COMMENT ON COLUMN audit_logs.user_id IS 'Acting user, from the transaction setting veza.actor_id (SET LOCAL); NULL for system jobs, unknown ids, and once the account is deleted (ADR 0013)';
