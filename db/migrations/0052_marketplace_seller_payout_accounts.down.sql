SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- Sellers' connected accounts are lost; payouts already made keep theirs in seller_payouts.payout_account_id.
DROP TABLE seller_payout_accounts;
