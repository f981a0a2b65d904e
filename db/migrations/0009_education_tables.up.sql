SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §11 gives the seven education tables only by name; their columns are designed here under the
-- spec's rules. Ethical limits (spec §17.3): no points, XP, learner levels, streaks or rankings. Scores
-- are private feedback, certificates attest completion and nothing else.

-- spec §11 "courses - Course catalog"
CREATE TABLE courses (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id UUID NOT NULL,
    slug VARCHAR(255) NOT NULL,
    title VARCHAR(255) NOT NULL,
    summary VARCHAR(500),
    description TEXT NOT NULL,
    language VARCHAR(35) NOT NULL DEFAULT 'en',
    level VARCHAR(20) NOT NULL DEFAULT 'beginner',
    tags VARCHAR(50)[],
    cover_image_file_id UUID,
    visibility visibility NOT NULL DEFAULT 'public',
    price DECIMAL(10,2) NOT NULL DEFAULT 0,
    currency CHAR(3) NOT NULL DEFAULT 'USD',
    status VARCHAR(50) NOT NULL DEFAULT 'draft',
    lesson_count INTEGER NOT NULL DEFAULT 0,
    total_duration_seconds INTEGER NOT NULL DEFAULT 0,
    enrollment_count INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    -- RESTRICT: a course carries other people's enrollments, progress and certificates; accounts are
    -- anonymised rather than deleted (spec §19.3), so a creator is never removed from under them.
    CONSTRAINT fk_courses_users FOREIGN KEY (creator_id) REFERENCES users(id) ON DELETE RESTRICT,
    CONSTRAINT fk_courses_files FOREIGN KEY (cover_image_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT uq_courses_slug UNIQUE (slug),
    CONSTRAINT chk_courses_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT chk_courses_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT chk_courses_level_valid CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    CONSTRAINT chk_courses_status_valid CHECK (status IN ('draft', 'published', 'archived')),
    CONSTRAINT chk_courses_price_non_negative CHECK (price >= 0),
    CONSTRAINT chk_courses_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT chk_courses_lesson_count_non_negative CHECK (lesson_count >= 0),
    CONSTRAINT chk_courses_total_duration_non_negative CHECK (total_duration_seconds >= 0),
    CONSTRAINT chk_courses_enrollment_count_non_negative CHECK (enrollment_count >= 0),
    CONSTRAINT chk_courses_published_at_set CHECK (status <> 'published' OR published_at IS NOT NULL)
);
CREATE INDEX idx_courses_creator_id ON courses(creator_id);
CREATE INDEX idx_courses_cover_image_file_id ON courses(cover_image_file_id) WHERE cover_image_file_id IS NOT NULL;
CREATE INDEX idx_courses_status ON courses(status);
CREATE INDEX idx_courses_level ON courses(level);
CREATE INDEX idx_courses_published_at_desc ON courses(published_at DESC) WHERE published_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX idx_courses_tags_gin ON courses USING GIN(tags);
CREATE TRIGGER trg_courses_updated_at BEFORE UPDATE ON courses
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE courses IS 'Course catalog: courses created by users and offered to learners (spec §11)';
COMMENT ON COLUMN courses.slug IS 'URL identifier: lowercase letters, digits and single hyphens';
COMMENT ON COLUMN courses.summary IS 'One-line pitch shown in catalog listings';
COMMENT ON COLUMN courses.language IS 'BCP 47 language tag of the teaching language (en, fr, pt-BR, ...)';
COMMENT ON COLUMN courses.level IS 'Difficulty of the course content (beginner, intermediate, advanced); describes the course, never the learner';
COMMENT ON COLUMN courses.visibility IS 'Who may see the course once published; status says whether it is published at all';
COMMENT ON COLUMN courses.price IS 'Price of enrolment in currency; 0 means free';
COMMENT ON COLUMN courses.currency IS 'ISO 4217 code of price';
COMMENT ON COLUMN courses.status IS 'draft, published, archived (archived: closed to new enrolments, enrolled learners keep access)';
COMMENT ON COLUMN courses.lesson_count IS 'Denormalised: number of published, non-deleted lessons; maintained by the application with the lesson writes, recomputable from lessons';
COMMENT ON COLUMN courses.total_duration_seconds IS 'Denormalised: sum of duration_seconds of the published, non-deleted lessons; recomputable from lessons';
COMMENT ON COLUMN courses.enrollment_count IS 'Denormalised: number of active or completed enrolments; maintained by the application with the enrolment writes, recomputable from course_enrollments';
COMMENT ON COLUMN courses.published_at IS 'First publication; required once status is published';

-- spec §11 "lessons - Course lessons/modules"
CREATE TABLE lessons (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id UUID NOT NULL,
    position INTEGER NOT NULL,
    section_title VARCHAR(255),
    title VARCHAR(255) NOT NULL,
    summary VARCHAR(500),
    lesson_type VARCHAR(20) NOT NULL DEFAULT 'video',
    content TEXT,
    video_file_id UUID,
    audio_file_id UUID,
    duration_seconds INTEGER,
    is_preview BOOLEAN NOT NULL DEFAULT false,
    status VARCHAR(50) NOT NULL DEFAULT 'draft',
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_lessons_courses FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE CASCADE,
    CONSTRAINT fk_lessons_files_video FOREIGN KEY (video_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT fk_lessons_files_audio FOREIGN KEY (audio_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_lessons_position_positive CHECK (position >= 1),
    CONSTRAINT chk_lessons_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT chk_lessons_lesson_type_valid CHECK (lesson_type IN ('video', 'audio', 'text')),
    CONSTRAINT chk_lessons_duration_positive CHECK (duration_seconds > 0),
    CONSTRAINT chk_lessons_status_valid CHECK (status IN ('draft', 'published')),
    CONSTRAINT chk_lessons_published_at_set CHECK (status <> 'published' OR published_at IS NOT NULL)
);
CREATE INDEX idx_lessons_course_id ON lessons(course_id);
-- Partial: a soft-deleted lesson gives its position back. Not deferrable (partial unique indexes cannot be),
-- so a reorder first shifts the live lessons out of range (position + 10000), then writes the new positions.
CREATE UNIQUE INDEX uq_lessons_course_id_position ON lessons(course_id, position) WHERE deleted_at IS NULL;
CREATE INDEX idx_lessons_video_file_id ON lessons(video_file_id) WHERE video_file_id IS NOT NULL;
CREATE INDEX idx_lessons_audio_file_id ON lessons(audio_file_id) WHERE audio_file_id IS NOT NULL;
CREATE TRIGGER trg_lessons_updated_at BEFORE UPDATE ON lessons
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE lessons IS 'Ordered lessons of a course (spec §11)';
COMMENT ON COLUMN lessons.position IS '1-based order within the course, unique among non-deleted lessons';
COMMENT ON COLUMN lessons.section_title IS 'Optional heading grouping consecutive lessons into a module (spec §11 keeps education to 7 tables, so modules are not a table)';
COMMENT ON COLUMN lessons.lesson_type IS 'video, audio, text: which medium carries the lesson';
COMMENT ON COLUMN lessons.content IS 'Lesson body or notes in Markdown';
COMMENT ON COLUMN lessons.duration_seconds IS 'Length of the video/audio, or estimated reading time; NULL when unknown';
COMMENT ON COLUMN lessons.is_preview IS 'Free preview: visible to people who are not enrolled';
COMMENT ON COLUMN lessons.status IS 'draft, published: lessons can be added to an already published course';

-- spec §11 "course_enrollments - User enrollments"
CREATE TABLE course_enrollments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    course_id UUID NOT NULL,
    order_id UUID,
    status VARCHAR(50) NOT NULL DEFAULT 'active',
    progress_percentage SMALLINT NOT NULL DEFAULT 0,
    enrolled_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_course_enrollments_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    -- RESTRICT: learners keep the course they enrolled in (and may have paid for); courses are soft-deleted.
    CONSTRAINT fk_course_enrollments_courses FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE RESTRICT,
    CONSTRAINT fk_course_enrollments_orders FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL,
    CONSTRAINT uq_course_enrollments_user_course UNIQUE (user_id, course_id),
    CONSTRAINT chk_course_enrollments_status_valid CHECK (status IN ('active', 'completed', 'cancelled')),
    CONSTRAINT chk_course_enrollments_progress_range CHECK (progress_percentage BETWEEN 0 AND 100),
    CONSTRAINT chk_course_enrollments_completed_at_set CHECK (status <> 'completed' OR completed_at IS NOT NULL),
    CONSTRAINT chk_course_enrollments_cancelled_at_set CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
);
CREATE INDEX idx_course_enrollments_course_id ON course_enrollments(course_id);
CREATE INDEX idx_course_enrollments_order_id ON course_enrollments(order_id) WHERE order_id IS NOT NULL;
CREATE INDEX idx_course_enrollments_status ON course_enrollments(status);
CREATE TRIGGER trg_course_enrollments_updated_at BEFORE UPDATE ON course_enrollments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE course_enrollments IS 'A user''s enrolment in a course; one per user and course (spec §11)';
COMMENT ON COLUMN course_enrollments.order_id IS 'Marketplace order that paid for the enrolment; NULL for free courses';
COMMENT ON COLUMN course_enrollments.status IS 'active, completed, cancelled (cancelled: access withdrawn, e.g. refund; completed_at is kept)';
COMMENT ON COLUMN course_enrollments.progress_percentage IS 'Denormalised: share of the course''s published lessons completed, 0-100; recomputed by the application from lesson_progress';

-- spec §11 "lesson_progress - Lesson completion tracking"
CREATE TABLE lesson_progress (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    enrollment_id UUID NOT NULL,
    lesson_id UUID NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'in_progress',
    last_position_seconds INTEGER NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_lesson_progress_course_enrollments FOREIGN KEY (enrollment_id) REFERENCES course_enrollments(id) ON DELETE CASCADE,
    CONSTRAINT fk_lesson_progress_lessons FOREIGN KEY (lesson_id) REFERENCES lessons(id) ON DELETE CASCADE,
    CONSTRAINT uq_lesson_progress_enrollment_lesson UNIQUE (enrollment_id, lesson_id),
    CONSTRAINT chk_lesson_progress_status_valid CHECK (status IN ('in_progress', 'completed')),
    CONSTRAINT chk_lesson_progress_last_position_non_negative CHECK (last_position_seconds >= 0),
    CONSTRAINT chk_lesson_progress_completed_at_set CHECK (status <> 'completed' OR completed_at IS NOT NULL)
);
CREATE INDEX idx_lesson_progress_lesson_id ON lesson_progress(lesson_id);
CREATE TRIGGER trg_lesson_progress_updated_at BEFORE UPDATE ON lesson_progress
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE lesson_progress IS 'Where a learner is in each lesson, so they can resume and see what they completed (spec §11). No time-on-task or visit counters: it serves the learner, not engagement metrics';
COMMENT ON COLUMN lesson_progress.lesson_id IS 'A lesson of the enrolment''s course; the application checks that it belongs to that course';
COMMENT ON COLUMN lesson_progress.status IS 'in_progress, completed; a lesson never opened has no row';
COMMENT ON COLUMN lesson_progress.last_position_seconds IS 'Playback position to resume the video/audio from';

-- spec §11 "quizzes - Assessments"
CREATE TABLE quizzes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    lesson_id UUID,
    course_id UUID,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    questions JSONB NOT NULL DEFAULT '[]',
    passing_score_percentage SMALLINT NOT NULL DEFAULT 70,
    max_attempts SMALLINT,
    status VARCHAR(50) NOT NULL DEFAULT 'draft',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_quizzes_lessons FOREIGN KEY (lesson_id) REFERENCES lessons(id) ON DELETE CASCADE,
    CONSTRAINT fk_quizzes_courses FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE CASCADE,
    CONSTRAINT chk_quizzes_parent_exactly_one CHECK (num_nonnulls(lesson_id, course_id) = 1),
    CONSTRAINT chk_quizzes_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT chk_quizzes_questions_array CHECK (jsonb_typeof(questions) = 'array'),
    CONSTRAINT chk_quizzes_passing_score_range CHECK (passing_score_percentage BETWEEN 0 AND 100),
    CONSTRAINT chk_quizzes_max_attempts_positive CHECK (max_attempts > 0),
    CONSTRAINT chk_quizzes_status_valid CHECK (status IN ('draft', 'published'))
);
CREATE INDEX idx_quizzes_lesson_id ON quizzes(lesson_id) WHERE lesson_id IS NOT NULL;
CREATE INDEX idx_quizzes_course_id ON quizzes(course_id) WHERE course_id IS NOT NULL;
CREATE TRIGGER trg_quizzes_updated_at BEFORE UPDATE ON quizzes
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE quizzes IS 'Assessments attached to a lesson or, for a final assessment, to the course itself (spec §11)';
COMMENT ON COLUMN quizzes.lesson_id IS 'Lesson the quiz follows; exactly one of lesson_id and course_id is set';
COMMENT ON COLUMN quizzes.course_id IS 'Course of a course-level (final) quiz; exactly one of lesson_id and course_id is set';
COMMENT ON COLUMN quizzes.questions IS 'Array of {id, prompt, type: single_choice|multiple_choice|short_text, options: [{id, label}], correct_option_ids, explanation}; holds the answers, so the API strips correct_option_ids before sending it to learners';
COMMENT ON COLUMN quizzes.passing_score_percentage IS 'Minimum score_percentage of an attempt to pass, 0-100';
COMMENT ON COLUMN quizzes.max_attempts IS 'Attempts allowed per enrolment; NULL for unlimited';
COMMENT ON COLUMN quizzes.status IS 'draft, published';

-- spec §11 "quiz_attempts - User quiz submissions"
CREATE TABLE quiz_attempts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    quiz_id UUID NOT NULL,
    enrollment_id UUID NOT NULL,
    attempt_number SMALLINT NOT NULL DEFAULT 1,
    answers JSONB NOT NULL DEFAULT '{}',
    score_percentage SMALLINT,
    passed BOOLEAN,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    submitted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_quiz_attempts_quizzes FOREIGN KEY (quiz_id) REFERENCES quizzes(id) ON DELETE CASCADE,
    CONSTRAINT fk_quiz_attempts_course_enrollments FOREIGN KEY (enrollment_id) REFERENCES course_enrollments(id) ON DELETE CASCADE,
    CONSTRAINT uq_quiz_attempts_quiz_enrollment_attempt UNIQUE (quiz_id, enrollment_id, attempt_number),
    CONSTRAINT chk_quiz_attempts_attempt_number_positive CHECK (attempt_number >= 1),
    CONSTRAINT chk_quiz_attempts_answers_object CHECK (jsonb_typeof(answers) = 'object'),
    CONSTRAINT chk_quiz_attempts_score_range CHECK (score_percentage BETWEEN 0 AND 100),
    CONSTRAINT chk_quiz_attempts_graded_when_submitted CHECK (
        (submitted_at IS NULL AND score_percentage IS NULL AND passed IS NULL)
        OR (submitted_at IS NOT NULL AND score_percentage IS NOT NULL AND passed IS NOT NULL)
    ),
    CONSTRAINT chk_quiz_attempts_submitted_after_start CHECK (submitted_at >= started_at)
);
CREATE INDEX idx_quiz_attempts_enrollment_id ON quiz_attempts(enrollment_id);
CREATE TRIGGER trg_quiz_attempts_updated_at BEFORE UPDATE ON quiz_attempts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE quiz_attempts IS 'A learner''s attempts at a quiz (spec §11). Scores are private feedback to the learner and the course creator, never ranked or compared between learners (spec §17.3)';
COMMENT ON COLUMN quiz_attempts.enrollment_id IS 'Enrolment of the learner; the learner is the enrolment''s user';
COMMENT ON COLUMN quiz_attempts.attempt_number IS '1-based attempt count of this learner on this quiz, checked against quizzes.max_attempts by the application';
COMMENT ON COLUMN quiz_attempts.answers IS 'Object mapping question id to the chosen option ids or the text answer';
COMMENT ON COLUMN quiz_attempts.score_percentage IS 'Share of correct answers, 0-100; set with passed when the attempt is submitted';
COMMENT ON COLUMN quiz_attempts.passed IS 'score_percentage >= the quiz''s passing_score_percentage at submission time';

-- spec §11 "certificates - Completion certificates"
CREATE TABLE certificates (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    enrollment_id UUID NOT NULL,
    certificate_number VARCHAR(50) NOT NULL,
    verification_code VARCHAR(64) NOT NULL,
    recipient_name VARCHAR(255) NOT NULL,
    course_title VARCHAR(255) NOT NULL,
    pdf_file_id UUID,
    issued_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    revoked_at TIMESTAMPTZ,
    revocation_reason VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_certificates_course_enrollments FOREIGN KEY (enrollment_id) REFERENCES course_enrollments(id) ON DELETE CASCADE,
    CONSTRAINT fk_certificates_files FOREIGN KEY (pdf_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT uq_certificates_enrollment_id UNIQUE (enrollment_id),
    CONSTRAINT uq_certificates_certificate_number UNIQUE (certificate_number),
    CONSTRAINT uq_certificates_verification_code UNIQUE (verification_code),
    CONSTRAINT chk_certificates_verification_code_length CHECK (char_length(verification_code) >= 16),
    CONSTRAINT chk_certificates_revocation_reason_set CHECK (revoked_at IS NULL OR revocation_reason IS NOT NULL)
);
CREATE INDEX idx_certificates_pdf_file_id ON certificates(pdf_file_id) WHERE pdf_file_id IS NOT NULL;
CREATE TRIGGER trg_certificates_updated_at BEFORE UPDATE ON certificates
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE certificates IS 'Certificate that a learner completed a course (spec §11). It attests completion only: no grade, rank or distinction';
COMMENT ON COLUMN certificates.enrollment_id IS 'The completed enrolment; holder and course are read through it (one certificate per enrolment)';
COMMENT ON COLUMN certificates.certificate_number IS 'Human-readable number printed on the certificate (CERT-2026-000123)';
COMMENT ON COLUMN certificates.verification_code IS 'Random, unguessable code of the public verification URL; at least 16 characters';
COMMENT ON COLUMN certificates.recipient_name IS 'Holder''s name as printed at issue time; personal data, erased by the account anonymisation job (spec §19.3)';
COMMENT ON COLUMN certificates.course_title IS 'Course title as printed at issue time, so renaming the course does not alter issued certificates';
COMMENT ON COLUMN certificates.pdf_file_id IS 'Rendered PDF; NULL until generated';
COMMENT ON COLUMN certificates.revoked_at IS 'Set when the issuer withdraws the certificate (fraud, refund); verification then reports it revoked';
COMMENT ON COLUMN certificates.deleted_at IS 'Set when the holder removes the certificate from their profile';
