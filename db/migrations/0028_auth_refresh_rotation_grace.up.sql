SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0025-second-factor-replay-and-refresh-grace.md
-- Issue 10 §2 (outside probe): two tabs refreshing one token at once lost their session, the second request
-- being taken for the reuse of a stolen token. The pair the first rotation answered is kept, sealed with the
-- platform's secret box (ADR 0023), so that the same token presented again within seconds gets the same answer.
-- Nullable without a default: adding it rewrites nothing and needs no RFC.
ALTER TABLE refresh_tokens ADD COLUMN rotation_sealed_token TEXT;
COMMENT ON COLUMN refresh_tokens.rotation_sealed_token IS 'The token pair answered when this token was rotated, sealed by the application (ADR 0023); replayed to a concurrent refresh within the grace window, erased after it';
