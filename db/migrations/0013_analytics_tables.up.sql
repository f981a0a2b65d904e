SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §15 gives the analytics module as one-line descriptions only; the columns below follow §17
-- (no per-user analytics, no profiling), §18 (raw events 12 months, then only aggregates survive),
-- §19.2 (data minimisation) and §21.1 (analytics_events partitioned by day on event_date).

-- spec §15, §21.1: raw events, partitioned by day on event_date (ADR 0003: PK (id, event_date)).
-- Deliberately absent (§17, §18.2, §19.2): IP address, user agent, session or device identifiers, referrer.
-- Nothing here lets a visit be chained to the next one except user_id, which is removed by anonymisation.
-- No track_id column: track events carry entity_type = 'track' and entity_id. A foreign key to tracks on a
-- 500M-row table would take a KEY SHARE lock on the track row for every play (contention on popular tracks),
-- need a track_id index on every daily partition, and on track deletion would rewrite that track's events
-- across all partitions, while events must outlive the entities they describe until aggregated.
CREATE TABLE analytics_events (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    event_date DATE NOT NULL DEFAULT ((NOW() AT TIME ZONE 'UTC')::date),
    event_type VARCHAR(50) NOT NULL,
    user_id UUID,
    entity_type VARCHAR(50),
    entity_id UUID,
    properties JSONB NOT NULL DEFAULT '{}'::jsonb,
    device_type VARCHAR(50),
    country_code CHAR(2),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT analytics_events_pkey PRIMARY KEY (id, event_date),
    CONSTRAINT fk_analytics_events_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT chk_analytics_events_event_date_matches CHECK (event_date = (created_at AT TIME ZONE 'UTC')::date),
    CONSTRAINT chk_analytics_events_event_type_valid CHECK (event_type IN (
        'page_view', 'search', 'play', 'pause', 'resume', 'seek', 'skip', 'complete', 'like', 'unlike',
        'share', 'download', 'comment', 'follow', 'unfollow', 'upload', 'add_to_cart', 'purchase')),
    CONSTRAINT chk_analytics_events_entity_type_valid CHECK (entity_type IN (
        'track', 'playlist', 'user', 'post', 'track_comment', 'post_comment', 'room', 'group',
        'product', 'order', 'course', 'lesson')),
    CONSTRAINT chk_analytics_events_entity_both_or_neither CHECK ((entity_type IS NULL) = (entity_id IS NULL)),
    CONSTRAINT chk_analytics_events_properties_object CHECK (jsonb_typeof(properties) = 'object'),
    CONSTRAINT chk_analytics_events_device_type_valid CHECK (device_type IN ('mobile', 'desktop', 'web')),
    CONSTRAINT chk_analytics_events_country_code_format CHECK (country_code ~ '^[A-Z]{2}$')
) PARTITION BY RANGE (event_date);
-- FK index; also serves GDPR access/export requests and the anonymisation job. Partial: most rows end up NULL.
CREATE INDEX idx_analytics_events_user_id ON analytics_events(user_id) WHERE user_id IS NOT NULL;
-- Same-day figures for a track, playlist or product before the nightly aggregation has run.
CREATE INDEX idx_analytics_events_entity_type_entity_id_created_at ON analytics_events(entity_type, entity_id, created_at)
    WHERE entity_id IS NOT NULL;
CREATE INDEX idx_analytics_events_event_type_created_at ON analytics_events(event_type, created_at);
-- jsonb_path_ops: smaller and cheaper to maintain than the default opclass; serves the @> filters used on properties.
CREATE INDEX idx_analytics_events_properties_gin ON analytics_events USING GIN (properties jsonb_path_ops);
CREATE TRIGGER trg_analytics_events_updated_at BEFORE UPDATE ON analytics_events
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE analytics_events IS 'Raw event data (partitioned by day on event_date, retention 12 months: aggregated into daily_metrics and track_analytics, then the partition is dropped; spec §15, §18.1)';
COMMENT ON COLUMN analytics_events.event_date IS 'UTC day of created_at, the partition key; must equal (created_at AT TIME ZONE ''UTC'')::date, so give both or neither';
COMMENT ON COLUMN analytics_events.created_at IS 'When the event happened';
COMMENT ON COLUMN analytics_events.user_id IS 'Acting user, NULL for anonymous visitors and once anonymised: set NULL when the account is anonymised or deleted (ADR 0003)';
COMMENT ON COLUMN analytics_events.entity_type IS 'Kind of object the event is about; NULL for events about no object (page_view, search)';
COMMENT ON COLUMN analytics_events.entity_id IS 'Id of that object; no foreign key, events outlive the objects they describe until aggregated';
COMMENT ON COLUMN analytics_events.properties IS 'Event-specific details (played seconds, completion percentage, source, page path, result count); never personal data, search text or free text typed by a user';
COMMENT ON COLUMN analytics_events.device_type IS 'mobile, desktop or web, the values of playback_history.device_type (spec §7.4); no device identifier or user agent is stored; NULL once anonymised (spec §18.2)';
COMMENT ON COLUMN analytics_events.country_code IS 'ISO 3166-1 alpha-2 country derived at ingestion; the IP address it came from is not stored';
SELECT ensure_range_partitions('analytics_events', 'day', 3);

-- spec §15, §18.1: daily platform-wide aggregates. One row per metric, day and dimension value.
-- The dimension list is closed on purpose: no dimension may identify a person (§17: no user_analytics).
CREATE TABLE daily_metrics (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    metric_date DATE NOT NULL,
    metric_name VARCHAR(100) NOT NULL,
    dimension VARCHAR(50) NOT NULL DEFAULT 'total',
    dimension_value VARCHAR(100) NOT NULL DEFAULT '',
    value NUMERIC(20,4) NOT NULL DEFAULT 0,
    unit VARCHAR(20) NOT NULL DEFAULT 'count',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_daily_metrics_metric_name_metric_date_dimension UNIQUE (metric_name, metric_date, dimension, dimension_value),
    CONSTRAINT chk_daily_metrics_metric_name_format CHECK (metric_name ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
    CONSTRAINT chk_daily_metrics_dimension_valid CHECK (dimension IN (
        'total', 'country_code', 'device_type', 'event_type', 'entity_type', 'genre', 'product_category', 'currency', 'user_role')),
    CONSTRAINT chk_daily_metrics_dimension_value_total CHECK ((dimension = 'total') = (dimension_value = '')),
    CONSTRAINT chk_daily_metrics_unit_valid CHECK (unit IN ('count', 'seconds', 'bytes', 'percent', 'amount'))
);
-- The unique constraint serves dashboards (one metric over a date range); this one serves the retention purge.
CREATE INDEX idx_daily_metrics_metric_date ON daily_metrics(metric_date);
CREATE TRIGGER trg_daily_metrics_updated_at BEFORE UPDATE ON daily_metrics
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE daily_metrics IS 'Aggregated daily stats of the whole platform, by at most one non-personal dimension; retention 12 months (spec §15, §18.1)';
COMMENT ON COLUMN daily_metrics.metric_date IS 'UTC day the metric covers';
COMMENT ON COLUMN daily_metrics.metric_name IS 'Dotted lowercase name, e.g. plays, signups, uploads, revenue.gross';
COMMENT ON COLUMN daily_metrics.dimension IS 'What the value is broken down by; total for the undivided figure. Closed list: adding one needs a migration and the ethics check of spec §17';
COMMENT ON COLUMN daily_metrics.dimension_value IS 'Value of the dimension (FR, mobile, electronic, EUR...); empty string for total';
COMMENT ON COLUMN daily_metrics.value IS 'The aggregate; for unit amount the currency is the dimension_value of dimension currency';
COMMENT ON COLUMN daily_metrics.unit IS 'count, seconds, bytes, percent or amount';

-- spec §15, §17.4: per-track per-day aggregates for the track's creator. Counters only: no listener is
-- identifiable, and rows are kept beyond the 12 months of the raw events they are computed from (§18.2).
CREATE TABLE track_analytics (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    track_id UUID NOT NULL,
    day DATE NOT NULL,
    play_count INTEGER NOT NULL DEFAULT 0,
    unique_listeners INTEGER NOT NULL DEFAULT 0,
    total_played_seconds BIGINT NOT NULL DEFAULT 0,
    completion_percentage_sum BIGINT NOT NULL DEFAULT 0,
    avg_completion_percentage NUMERIC(5,2) GENERATED ALWAYS AS (
        CASE WHEN play_count > 0 THEN ROUND(completion_percentage_sum::numeric / play_count, 2) END) STORED,
    complete_count INTEGER NOT NULL DEFAULT 0,
    skip_count INTEGER NOT NULL DEFAULT 0,
    like_count INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    share_count INTEGER NOT NULL DEFAULT 0,
    download_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_track_analytics_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT uq_track_analytics_track_id_day UNIQUE (track_id, day),
    CONSTRAINT chk_track_analytics_counts_non_negative CHECK (
        play_count >= 0 AND unique_listeners >= 0 AND total_played_seconds >= 0 AND complete_count >= 0
        AND skip_count >= 0 AND like_count >= 0 AND comment_count >= 0 AND share_count >= 0 AND download_count >= 0),
    CONSTRAINT chk_track_analytics_unique_listeners_le_plays CHECK (unique_listeners <= play_count),
    CONSTRAINT chk_track_analytics_complete_count_le_plays CHECK (complete_count <= play_count),
    CONSTRAINT chk_track_analytics_completion_sum_range CHECK (
        completion_percentage_sum >= 0 AND completion_percentage_sum <= 100 * play_count::bigint)
);
-- The unique constraint leads with track_id and indexes the FK; this one serves platform-wide rollups by day.
CREATE INDEX idx_track_analytics_day ON track_analytics(day);
CREATE TRIGGER trg_track_analytics_updated_at BEFORE UPDATE ON track_analytics
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE track_analytics IS 'Per-track metrics (play count, completion, pas de profilage): daily counters computed from analytics_events, with no per-listener data (spec §15, §17.4)';
COMMENT ON COLUMN track_analytics.day IS 'UTC day the counters cover';
COMMENT ON COLUMN track_analytics.unique_listeners IS 'Distinct signed-in listeners that day, counted at aggregation time; their ids are not stored';
COMMENT ON COLUMN track_analytics.total_played_seconds IS 'Sum of the seconds actually played';
COMMENT ON COLUMN track_analytics.completion_percentage_sum IS 'Sum of the completion percentages (0-100) of the plays; kept as a sum so that ranges of days can be averaged exactly';
COMMENT ON COLUMN track_analytics.avg_completion_percentage IS 'completion_percentage_sum / play_count; NULL when there was no play';
COMMENT ON COLUMN track_analytics.complete_count IS 'Plays that reached the end of the track';
COMMENT ON COLUMN track_analytics.like_count IS 'Likes given that day (not the running total, which is tracks.like_count)';

-- spec §15: reports generated asynchronously (CSV/JSON/PDF/XLSX) from the aggregates above.
CREATE TABLE reports (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    requested_by UUID,
    report_type VARCHAR(50) NOT NULL,
    title VARCHAR(255) NOT NULL,
    parameters JSONB NOT NULL DEFAULT '{}'::jsonb,
    period_start DATE,
    period_end DATE,
    format VARCHAR(10) NOT NULL DEFAULT 'csv',
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    file_id UUID,
    error_message TEXT,
    started_at TIMESTAMPTZ,
    generated_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_reports_users FOREIGN KEY (requested_by) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT fk_reports_files FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_reports_report_type_valid CHECK (report_type IN (
        'platform_activity', 'user_growth', 'content', 'track_performance', 'sales', 'payouts', 'moderation')),
    CONSTRAINT chk_reports_format_valid CHECK (format IN ('csv', 'json', 'pdf', 'xlsx')),
    CONSTRAINT chk_reports_status_valid CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'expired')),
    CONSTRAINT chk_reports_period_order CHECK (period_end >= period_start),
    CONSTRAINT chk_reports_parameters_object CHECK (jsonb_typeof(parameters) = 'object'),
    CONSTRAINT chk_reports_generated_at_completed CHECK (status <> 'completed' OR generated_at IS NOT NULL)
);
-- FK index, and "my reports, newest first".
CREATE INDEX idx_reports_requested_by_created_at ON reports(requested_by, created_at DESC) WHERE requested_by IS NOT NULL;
CREATE INDEX idx_reports_file_id ON reports(file_id) WHERE file_id IS NOT NULL;
-- The generation worker's queue.
CREATE INDEX idx_reports_status_created_at ON reports(status, created_at) WHERE status IN ('pending', 'processing');
CREATE TRIGGER trg_reports_updated_at BEFORE UPDATE ON reports
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE reports IS 'Generated reports: request, parameters, generation status and the resulting file (spec §15)';
COMMENT ON COLUMN reports.requested_by IS 'User who asked for the report; NULL once that account is deleted (admin reports outlive their author)';
COMMENT ON COLUMN reports.report_type IS 'platform_activity, user_growth, content, track_performance, sales, payouts or moderation';
COMMENT ON COLUMN reports.parameters IS 'Filters of the report (track ids, metric names, dimensions); aggregates only, never a per-user breakdown';
COMMENT ON COLUMN reports.period_start IS 'First UTC day covered; NULL when the report is not about a period';
COMMENT ON COLUMN reports.period_end IS 'Last UTC day covered (inclusive)';
COMMENT ON COLUMN reports.status IS 'pending, processing, completed, failed or expired';
COMMENT ON COLUMN reports.file_id IS 'Generated document; NULL until completed and after the file is purged';
COMMENT ON COLUMN reports.expires_at IS 'When the generated file is deleted and the report becomes expired';

-- spec §15: a user's custom analytics dashboards (creator dashboard, admin dashboard).
CREATE TABLE dashboard_configs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    name VARCHAR(100) NOT NULL,
    scope VARCHAR(20) NOT NULL DEFAULT 'creator',
    layout JSONB NOT NULL DEFAULT '{}'::jsonb,
    is_default BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_dashboard_configs_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_dashboard_configs_user_id_name UNIQUE (user_id, name),
    CONSTRAINT chk_dashboard_configs_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT chk_dashboard_configs_scope_valid CHECK (scope IN ('creator', 'admin')),
    CONSTRAINT chk_dashboard_configs_layout_object CHECK (jsonb_typeof(layout) = 'object')
);
-- At most one default dashboard per user and scope. The unique constraint indexes the FK.
CREATE UNIQUE INDEX uq_dashboard_configs_user_id_scope_default ON dashboard_configs(user_id, scope) WHERE is_default;
CREATE TRIGGER trg_dashboard_configs_updated_at BEFORE UPDATE ON dashboard_configs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE dashboard_configs IS 'Custom dashboards: a user''s own arrangement of analytics widgets (spec §15)';
COMMENT ON COLUMN dashboard_configs.scope IS 'creator (own tracks and products) or admin (platform metrics)';
COMMENT ON COLUMN dashboard_configs.layout IS 'Widgets with their metric, period, chart type and grid position';
COMMENT ON COLUMN dashboard_configs.is_default IS 'Dashboard opened first; at most one per user and scope';
