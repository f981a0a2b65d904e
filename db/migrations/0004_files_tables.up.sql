SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §6.1
CREATE TABLE files (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    filename VARCHAR(255) NOT NULL,
    original_filename VARCHAR(255) NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    file_size BIGINT NOT NULL,
    storage_path TEXT NOT NULL,
    storage_provider VARCHAR(50) NOT NULL DEFAULT 's3',
    bucket_name VARCHAR(255),
    url TEXT NOT NULL,
    thumbnail_url TEXT,
    file_hash VARCHAR(64),
    metadata JSONB,
    is_processed BOOLEAN NOT NULL DEFAULT false,
    processed_at TIMESTAMPTZ,
    processing_error TEXT,
    virus_scanned BOOLEAN NOT NULL DEFAULT false,
    virus_scan_result VARCHAR(50),
    virus_scanned_at TIMESTAMPTZ,
    is_public BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_files_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT chk_files_size_positive CHECK (file_size > 0),
    CONSTRAINT chk_files_storage_provider_valid CHECK (storage_provider IN ('s3', 'local', 'minio')),
    -- RFC 6838 type/subtype, lower-case as stored by the upload service.
    CONSTRAINT chk_files_mime_type_format CHECK (mime_type ~ '^[a-z]+/[a-z0-9][a-z0-9!#$&^_.+-]*$')
);
CREATE INDEX idx_files_user_id ON files(user_id);
CREATE INDEX idx_files_mime_type ON files(mime_type);
CREATE INDEX idx_files_file_hash ON files(file_hash) WHERE file_hash IS NOT NULL;
CREATE INDEX idx_files_created_at_desc ON files(created_at DESC);
CREATE TRIGGER trg_files_updated_at BEFORE UPDATE ON files
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE files IS 'Every stored file (audio, image, video, attachment) with its storage location, processing and virus-scan state';
COMMENT ON COLUMN files.user_id IS 'Owner (uploader) of the file';
COMMENT ON COLUMN files.filename IS 'Name under which the file is stored';
COMMENT ON COLUMN files.original_filename IS 'Name of the file as uploaded by the user';
COMMENT ON COLUMN files.file_size IS 'Size in bytes';
COMMENT ON COLUMN files.storage_path IS 'S3 key or local path';
COMMENT ON COLUMN files.storage_provider IS 's3, local or minio';
COMMENT ON COLUMN files.file_hash IS 'SHA-256 of the content, hex; used to detect duplicate uploads';
COMMENT ON COLUMN files.metadata IS 'Extracted metadata (dimensions, duration, etc.)';
COMMENT ON COLUMN files.virus_scan_result IS 'Verdict of the virus scanner; NULL until scanned';

-- spec §6.2
CREATE TABLE file_uploads (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    filename VARCHAR(255) NOT NULL,
    file_size BIGINT NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    bytes_uploaded BIGINT NOT NULL DEFAULT 0,
    chunks_uploaded INTEGER NOT NULL DEFAULT 0,
    total_chunks INTEGER,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    storage_key TEXT,
    upload_id TEXT,
    metadata JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT fk_file_uploads_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT chk_file_uploads_bytes_uploaded CHECK (bytes_uploaded >= 0 AND bytes_uploaded <= file_size),
    CONSTRAINT chk_file_uploads_status_valid CHECK (status IN ('pending', 'uploading', 'processing', 'completed', 'failed')),
    CONSTRAINT chk_file_uploads_mime_type_format CHECK (mime_type ~ '^[a-z]+/[a-z0-9][a-z0-9!#$&^_.+-]*$')
);
CREATE INDEX idx_file_uploads_user_id ON file_uploads(user_id);
CREATE INDEX idx_file_uploads_status ON file_uploads(status);
CREATE INDEX idx_file_uploads_expires_at ON file_uploads(expires_at);
CREATE TRIGGER trg_file_uploads_updated_at BEFORE UPDATE ON file_uploads
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE file_uploads IS 'Track upload sessions (for resumable uploads).';
COMMENT ON COLUMN file_uploads.file_size IS 'Announced total size in bytes';
COMMENT ON COLUMN file_uploads.status IS 'pending, uploading, processing, completed or failed';
COMMENT ON COLUMN file_uploads.storage_key IS 'Destination key in storage';
COMMENT ON COLUMN file_uploads.upload_id IS 'S3 multipart upload ID';
COMMENT ON COLUMN file_uploads.expires_at IS 'Incomplete uploads are cleaned up after this time';

-- spec §6.3 (created_at and updated_at added: ADR 0002; the spec's unique index idx_file_metadata_file_id
-- duplicates the inline UNIQUE: ADR 0004)
CREATE TABLE file_metadata (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    file_id UUID NOT NULL,
    title VARCHAR(255),
    artist VARCHAR(255),
    album VARCHAR(255),
    genre VARCHAR(100),
    year INTEGER,
    duration INTEGER,
    bitrate INTEGER,
    sample_rate INTEGER,
    channels INTEGER,
    codec VARCHAR(50),
    width INTEGER,
    height INTEGER,
    format VARCHAR(50),
    video_codec VARCHAR(50),
    audio_codec VARCHAR(50),
    framerate DECIMAL(10,2),
    bpm INTEGER,
    musical_key VARCHAR(10),
    time_signature VARCHAR(10),
    raw_metadata JSONB,
    extracted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_file_metadata_files FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE CASCADE,
    CONSTRAINT uq_file_metadata_file_id UNIQUE (file_id)
);
CREATE INDEX idx_file_metadata_genre ON file_metadata(genre) WHERE genre IS NOT NULL;
CREATE INDEX idx_file_metadata_duration ON file_metadata(duration) WHERE duration IS NOT NULL;
CREATE TRIGGER trg_file_metadata_updated_at BEFORE UPDATE ON file_metadata
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE file_metadata IS 'Technical metadata extracted from a file (audio tags, image and video properties); one row per file';
COMMENT ON COLUMN file_metadata.duration IS 'Duration in seconds';
COMMENT ON COLUMN file_metadata.bitrate IS 'Bitrate in kbps';
COMMENT ON COLUMN file_metadata.sample_rate IS 'Sample rate in Hz';
COMMENT ON COLUMN file_metadata.bpm IS 'Beats per minute';
COMMENT ON COLUMN file_metadata.musical_key IS 'C, C#, D, etc.';
COMMENT ON COLUMN file_metadata.time_signature IS '4/4, 3/4, etc.';
COMMENT ON COLUMN file_metadata.raw_metadata IS 'Full ID3/EXIF data';

-- spec §6.4 (two FKs to files, named by column stem: db/README.md)
CREATE TABLE file_conversions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source_file_id UUID NOT NULL,
    converted_file_id UUID,
    target_format VARCHAR(50) NOT NULL,
    target_quality VARCHAR(50),
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    progress INTEGER NOT NULL DEFAULT 0,
    error_message TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    CONSTRAINT fk_file_conversions_files_source FOREIGN KEY (source_file_id) REFERENCES files(id) ON DELETE CASCADE,
    CONSTRAINT fk_file_conversions_files_converted FOREIGN KEY (converted_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_file_conversions_status_valid CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    -- The spec documents progress as a percentage.
    CONSTRAINT chk_file_conversions_progress_range CHECK (progress >= 0 AND progress <= 100)
);
CREATE INDEX idx_file_conversions_source_file_id ON file_conversions(source_file_id);
CREATE INDEX idx_file_conversions_status ON file_conversions(status);
CREATE INDEX idx_file_conversions_converted_file_id ON file_conversions(converted_file_id) WHERE converted_file_id IS NOT NULL;
CREATE TRIGGER trg_file_conversions_updated_at BEFORE UPDATE ON file_conversions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE file_conversions IS 'Transcoding jobs turning a source file into another format or quality';
COMMENT ON COLUMN file_conversions.converted_file_id IS 'Resulting file; NULL until the conversion completes or if that file was deleted';
COMMENT ON COLUMN file_conversions.status IS 'pending, processing, completed or failed';
COMMENT ON COLUMN file_conversions.progress IS 'Percentage done, 0-100';
