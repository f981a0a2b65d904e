SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE dashboard_configs;
DROP TABLE reports;
DROP TABLE track_analytics;
DROP TABLE daily_metrics;
DROP TABLE analytics_events;
