SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0002-job-runs.md

-- Issue 4: every run of a maintenance job, scheduled or started by hand.
CREATE TABLE job_runs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_name VARCHAR(100) NOT NULL,
    triggered_by VARCHAR(20) NOT NULL,
    dry_run BOOLEAN NOT NULL DEFAULT false,
    status VARCHAR(20) NOT NULL DEFAULT 'running',
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    finished_at TIMESTAMPTZ,
    rows_by_table JSONB NOT NULL DEFAULT '{}'::jsonb,
    error_message TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT chk_job_runs_triggered_by_valid CHECK (triggered_by IN ('schedule', 'manual')),
    CONSTRAINT chk_job_runs_status_valid CHECK (status IN ('running', 'succeeded', 'failed')),
    CONSTRAINT chk_job_runs_finished_when_done CHECK ((status = 'running') = (finished_at IS NULL)),
    CONSTRAINT chk_job_runs_rows_by_table_object CHECK (jsonb_typeof(rows_by_table) = 'object')
);
CREATE INDEX idx_job_runs_job_name_started_at ON job_runs(job_name, started_at DESC);
CREATE TRIGGER trg_job_runs_updated_at BEFORE UPDATE ON job_runs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE job_runs IS 'One row per run of a maintenance job (retention, anonymisation, partitions, GDPR export, view refresh)';
COMMENT ON COLUMN job_runs.triggered_by IS 'schedule (the job runner''s cron) or manual (veza jobs run)';
COMMENT ON COLUMN job_runs.rows_by_table IS 'Rows each table had deleted, anonymised, archived or written, e.g. {"login_attempts": 1200}';
