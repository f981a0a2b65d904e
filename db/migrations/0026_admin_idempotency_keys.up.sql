SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0026-idempotency-keys.md

-- Issue 10 §3, ADR 0035: the Idempotency-Key of a write request, with the request's fingerprint and the answer it
-- got, so that a retry is answered with the same response instead of doing the work twice. Kept 24 hours.
CREATE TABLE idempotency_keys (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID,
    idempotency_key VARCHAR(255) NOT NULL,
    request_method VARCHAR(10) NOT NULL,
    request_route VARCHAR(255) NOT NULL,
    request_fingerprint CHAR(64) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'in_flight',
    response_status SMALLINT,
    response_headers JSONB,
    response_body TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_idempotency_keys_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_idempotency_keys_user_id_idempotency_key UNIQUE NULLS NOT DISTINCT (user_id, idempotency_key),
    CONSTRAINT chk_idempotency_keys_status_valid CHECK (status IN ('in_flight', 'completed')),
    CONSTRAINT chk_idempotency_keys_response_when_completed CHECK (
        (status = 'completed') = (response_status IS NOT NULL AND completed_at IS NOT NULL)
    ),
    CONSTRAINT chk_idempotency_keys_response_headers_object CHECK (
        response_headers IS NULL OR jsonb_typeof(response_headers) = 'object'
    )
);
-- The unique constraint's index (user_id first) serves the foreign key's ON DELETE CASCADE.
CREATE INDEX idx_idempotency_keys_expires_at ON idempotency_keys(expires_at);
CREATE TRIGGER trg_idempotency_keys_updated_at BEFORE UPDATE ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE idempotency_keys IS 'Idempotency-Key of a write request and the response it got, replayed to a retry for 24 hours (ADR 0035)';
COMMENT ON COLUMN idempotency_keys.user_id IS 'The caller the key belongs to (keys are scoped per caller); NULL for anonymous callers, whose replays the fingerprint guards';
COMMENT ON COLUMN idempotency_keys.idempotency_key IS 'The Idempotency-Key header as the client sent it';
COMMENT ON COLUMN idempotency_keys.request_route IS 'The route pattern, e.g. /v1/auth/register, not the URL: a key is for one operation';
COMMENT ON COLUMN idempotency_keys.request_fingerprint IS 'SHA-256 (hex) of method, route, path parameters and body: the same key with another request is refused';
COMMENT ON COLUMN idempotency_keys.status IS 'in_flight while the first request runs (a concurrent retry gets 409), completed once its response is stored';
COMMENT ON COLUMN idempotency_keys.response_headers IS 'The few response headers a replay repeats (content-type, location, cache-control)';
COMMENT ON COLUMN idempotency_keys.response_body IS 'The serialized response body, replayed byte for byte';
COMMENT ON COLUMN idempotency_keys.expires_at IS 'After it the key may be used again and the row is deleted (retention.idempotency)';
