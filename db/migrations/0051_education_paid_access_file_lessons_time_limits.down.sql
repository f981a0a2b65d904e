SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

COMMENT ON COLUMN quiz_attempts.answers IS 'Object mapping question id to the chosen option ids or the text answer';
ALTER TABLE quiz_attempts DROP CONSTRAINT chk_quiz_attempts_deadline_after_start;
ALTER TABLE quiz_attempts DROP COLUMN deadline_at;
COMMENT ON COLUMN quizzes.questions IS 'Array of {id, prompt, type: single_choice|multiple_choice|short_text, options: [{id, label}], correct_option_ids, explanation}; holds the answers, so the API strips correct_option_ids before sending it to learners';
ALTER TABLE quizzes DROP CONSTRAINT chk_quizzes_time_limit_positive;
ALTER TABLE quizzes DROP COLUMN time_limit_seconds;
-- Lessons of type file cannot be represented before this migration: they go back to text.
UPDATE lessons SET lesson_type = 'text' WHERE lesson_type = 'file';
ALTER TABLE lessons DROP CONSTRAINT chk_lessons_lesson_type_valid;
ALTER TABLE lessons ADD CONSTRAINT chk_lessons_lesson_type_valid CHECK (lesson_type IN ('video', 'audio', 'text'));
COMMENT ON COLUMN lessons.lesson_type IS 'video, audio, text: which medium carries the lesson';
DROP INDEX idx_lessons_download_file_id;
ALTER TABLE lessons DROP CONSTRAINT fk_lessons_files_download;
ALTER TABLE lessons DROP COLUMN download_file_id;
DROP INDEX idx_courses_product_id;
ALTER TABLE courses DROP CONSTRAINT fk_courses_products;
ALTER TABLE courses DROP COLUMN product_id;
