SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE discount_codes DROP CONSTRAINT chk_discount_codes_usage_within_limit;
ALTER TABLE discount_codes DROP CONSTRAINT chk_discount_codes_percentage_max;
ALTER TABLE discount_codes DROP COLUMN currency;
COMMENT ON COLUMN transactions.transaction_type IS 'payment, refund, payout or commission';
ALTER TABLE transactions DROP CONSTRAINT uq_transactions_order_id_transaction_type_user_id;
ALTER TABLE transactions DROP CONSTRAINT chk_transactions_amount_not_negative;
ALTER TABLE transactions DROP CONSTRAINT chk_transactions_transaction_type_valid,
    ADD CONSTRAINT chk_transactions_transaction_type_valid CHECK (transaction_type IN ('payment', 'refund', 'payout', 'commission'));
DROP TABLE payment_webhook_events;
