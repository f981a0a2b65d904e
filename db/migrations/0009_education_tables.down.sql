SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE certificates;
DROP TABLE quiz_attempts;
DROP TABLE quizzes;
DROP TABLE lesson_progress;
DROP TABLE course_enrollments;
DROP TABLE lessons;
DROP TABLE courses;
