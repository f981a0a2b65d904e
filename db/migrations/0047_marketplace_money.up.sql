SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';
-- RFC: docs/rfc/0047-marketplace-money.md

-- Issue 16 §7, ADR 0073: payment-provider webhooks are processed once per event id. The row is written in the same
-- transaction as the event's effect, so a replayed event (same provider, same event id) finds it and changes nothing.
CREATE TABLE payment_webhook_events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    provider VARCHAR(50) NOT NULL,
    event_id VARCHAR(255) NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    order_id UUID,
    outcome VARCHAR(50) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_payment_webhook_events_orders FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL,
    CONSTRAINT uq_payment_webhook_events_provider_event_id UNIQUE (provider, event_id),
    CONSTRAINT chk_payment_webhook_events_outcome_valid CHECK (outcome IN ('applied', 'ignored', 'stale')),
    -- the provider's dotted event names (payment_intent.succeeded, charge.refunded); the ones acted on are code
    CONSTRAINT chk_payment_webhook_events_event_type_format CHECK (event_type ~ '^[a-z0-9_]+(\.[a-z0-9_]+)*$')
);
CREATE INDEX idx_payment_webhook_events_order_id ON payment_webhook_events(order_id) WHERE order_id IS NOT NULL;
CREATE INDEX idx_payment_webhook_events_created_at ON payment_webhook_events(created_at);
CREATE TRIGGER trg_payment_webhook_events_updated_at BEFORE UPDATE ON payment_webhook_events
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE payment_webhook_events IS 'Payment-provider webhook events already processed, one row per (provider, event id): replays change nothing (ADR 0073)';
COMMENT ON COLUMN payment_webhook_events.outcome IS 'applied (changed the order), ignored (nothing to do) or stale (arrived after a later state: out-of-order delivery)';

-- Issue 16 §10, ADR 0074: the ledger splits every payment into the sellers' shares, the platform commission and the
-- tax collected, and a refund reverses each; the spec's four types cannot say which side a row belongs to.
-- The table is new in production (no sale yet), so the scan of each constraint below takes no time.
ALTER TABLE transactions DROP CONSTRAINT chk_transactions_transaction_type_valid;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE transactions ADD CONSTRAINT chk_transactions_transaction_type_valid CHECK (transaction_type IN
        ('payment', 'refund', 'payout', 'commission', 'seller_share', 'tax', 'seller_share_reversal', 'commission_reversal',
         'tax_reversal'));
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE transactions ADD CONSTRAINT chk_transactions_amount_not_negative CHECK (amount >= 0);
-- One row of each type per order and user (one payment by the buyer, one share per seller, one refund...): a retried
-- or racing confirmation cannot book a payment twice (its payment row collides, and its transaction rolls back).
-- squawk-ignore disallowed-unique-constraint, constraint-missing-not-valid
ALTER TABLE transactions ADD CONSTRAINT uq_transactions_order_id_transaction_type_user_id
    UNIQUE (order_id, transaction_type, user_id);
COMMENT ON COLUMN transactions.transaction_type IS 'payment (buyer paid), seller_share, commission and tax (its split), refund (to the buyer) and the matching *_reversal rows, payout (ADR 0074)';

-- Issue 16 §5, ADR 0072: a fixed amount and a minimum purchase are amounts in one currency; a percentage is at most 100.
ALTER TABLE discount_codes ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'USD';
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE discount_codes ADD CONSTRAINT chk_discount_codes_percentage_max
    CHECK (discount_type <> 'percentage' OR discount_value <= 100);
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE discount_codes ADD CONSTRAINT chk_discount_codes_usage_within_limit
    CHECK (usage_count >= 0 AND (usage_limit IS NULL OR usage_count <= usage_limit));
COMMENT ON COLUMN discount_codes.currency IS 'Currency of discount_value (fixed_amount), minimum_purchase_amount and maximum_discount_amount';
