SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0052-seller-payout-accounts.md

-- Issue 16 §10, ADR 0084: where a seller's Stripe Connect account is kept, so the payout job can transfer to it.
-- One account per seller (unique seller_id; replacing it updates the row). A payout destination is money: audited
-- like seller_payouts and transactions (ADR 0013), an account swapped by someone holding the seller's session being
-- the fraud to trace.
CREATE TABLE seller_payout_accounts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id UUID NOT NULL,
    provider VARCHAR(50) NOT NULL DEFAULT 'stripe_connect',
    account_id VARCHAR(255) NOT NULL,
    verified_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_seller_payout_accounts_users FOREIGN KEY (seller_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_seller_payout_accounts_seller_id UNIQUE (seller_id),
    -- One connected account pays one seller: the account.updated webhook finds its seller by this key.
    CONSTRAINT uq_seller_payout_accounts_provider_account_id UNIQUE (provider, account_id),
    CONSTRAINT chk_seller_payout_accounts_provider_valid CHECK (provider IN ('stripe_connect')),
    -- Stripe's account ids: acct_ then letters and digits (the API documents no fixed length).
    CONSTRAINT chk_seller_payout_accounts_account_id_format CHECK (
        provider <> 'stripe_connect' OR account_id ~ '^acct_[A-Za-z0-9]{1,250}$')
);
CREATE TRIGGER trg_seller_payout_accounts_updated_at BEFORE UPDATE ON seller_payout_accounts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_seller_payout_accounts_audit AFTER INSERT OR UPDATE OR DELETE ON seller_payout_accounts
    FOR EACH ROW EXECUTE FUNCTION audit_record_change();
COMMENT ON TABLE seller_payout_accounts IS 'The account each seller is paid out to by a payout provider (Stripe Connect), one per seller (ADR 0084)';
COMMENT ON COLUMN seller_payout_accounts.provider IS 'stripe_connect: a Stripe connected account receiving Transfers';
COMMENT ON COLUMN seller_payout_accounts.account_id IS 'The provider''s account id (Stripe: acct_...), given by the seller; not a secret';
COMMENT ON COLUMN seller_payout_accounts.verified_at IS 'When the provider reported the account able to receive payouts (Stripe account.updated with payouts_enabled); NULL: not yet, or no longer. Payouts skip the seller until set';
