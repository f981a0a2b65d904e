SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0051-education-paid-access-file-lessons-time-limits.md

-- Issue 17 §1, ADR 0081: a paid course is sold as a marketplace product; the price lives on the product only, and
-- enrolment is granted by a paid order line of it. SET NULL: a product hard-deleted (never once sold: order_items
-- RESTRICT) leaves the course free of charge rather than gone.
ALTER TABLE courses ADD COLUMN product_id UUID;
-- The column was just added, NULL in every row: validating the key finds nothing to check, and both tables are small.
-- squawk-ignore constraint-missing-not-valid, adding-foreign-key-constraint
ALTER TABLE courses ADD CONSTRAINT fk_courses_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE SET NULL;
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_courses_product_id ON courses(product_id) WHERE product_id IS NOT NULL;
COMMENT ON COLUMN courses.product_id IS 'Marketplace product whose paid order line grants enrolment; NULL: the course is free (ADR 0081). The price is the product''s';

-- Issue 17 §1: a lesson may be a downloadable file (slides, a project, stems).
ALTER TABLE lessons ADD COLUMN download_file_id UUID;
-- New column, NULL in every row (as above).
-- squawk-ignore constraint-missing-not-valid, adding-foreign-key-constraint
ALTER TABLE lessons ADD CONSTRAINT fk_lessons_files_download FOREIGN KEY (download_file_id) REFERENCES files(id) ON DELETE SET NULL;
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_lessons_download_file_id ON lessons(download_file_id) WHERE download_file_id IS NOT NULL;
ALTER TABLE lessons DROP CONSTRAINT chk_lessons_lesson_type_valid;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE lessons ADD CONSTRAINT chk_lessons_lesson_type_valid CHECK (lesson_type IN ('video', 'audio', 'text', 'file'));
COMMENT ON COLUMN lessons.lesson_type IS 'video, audio, text, file: which medium carries the lesson (file: a download)';
COMMENT ON COLUMN lessons.download_file_id IS 'The downloadable file of a lesson of type file';

-- Issue 17 §3, ADR 0082: the server enforces a quiz's time limit. The deadline is written when the attempt starts,
-- so a later edit of the limit does not move the deadline of an attempt under way.
ALTER TABLE quizzes ADD COLUMN time_limit_seconds INTEGER;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE quizzes ADD CONSTRAINT chk_quizzes_time_limit_positive CHECK (time_limit_seconds > 0);
COMMENT ON COLUMN quizzes.time_limit_seconds IS 'Time allowed per attempt from its start; NULL: untimed (ADR 0082)';
COMMENT ON COLUMN quizzes.questions IS 'Array of questions, each {id, prompt, type: single_choice|multiple_choice|numeric|ordering, ...} as education.questions.ts documents (ADR 0082); holds the answers, which the API never sends a learner';
ALTER TABLE quiz_attempts ADD COLUMN deadline_at TIMESTAMPTZ;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE quiz_attempts ADD CONSTRAINT chk_quiz_attempts_deadline_after_start CHECK (deadline_at > started_at);
COMMENT ON COLUMN quiz_attempts.deadline_at IS 'started_at + the quiz''s time limit when the attempt started; a submission after it is refused. NULL: untimed';
COMMENT ON COLUMN quiz_attempts.answers IS 'Object mapping question id to the answer: option ids (choice, ordering) or a number (numeric)';
