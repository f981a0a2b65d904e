import type { CheckCase } from './check-case.ts';

const past = new Date('2020-01-01T00:00:00Z');
const future = new Date('2099-01-01T00:00:00Z');

export const educationCheckCases: CheckCase[] = [
  { table: 'courses', constraint: 'chk_courses_slug_format', bad: { slug: 'Mixing Basics' } },
  { table: 'courses', constraint: 'chk_courses_slug_format', bad: { slug: 'double--hyphen' } },
  { table: 'courses', constraint: 'chk_courses_title_not_blank', bad: { title: '   ' } },
  { table: 'courses', constraint: 'chk_courses_level_valid', bad: { level: 'expert' } },
  { table: 'courses', constraint: 'chk_courses_status_valid', bad: { status: 'live' } },
  { table: 'courses', constraint: 'chk_courses_price_non_negative', bad: { price: '-0.01' } },
  { table: 'courses', constraint: 'chk_courses_currency_format', bad: { currency: 'eur' } },
  { table: 'courses', constraint: 'chk_courses_lesson_count_non_negative', bad: { lesson_count: -1 } },
  { table: 'courses', constraint: 'chk_courses_total_duration_non_negative', bad: { total_duration_seconds: -1 } },
  { table: 'courses', constraint: 'chk_courses_enrollment_count_non_negative', bad: { enrollment_count: -1 } },
  { table: 'courses', constraint: 'chk_courses_published_at_set', bad: { status: 'published', published_at: null } },
  { table: 'lessons', constraint: 'chk_lessons_position_positive', bad: { position: 0 } },
  { table: 'lessons', constraint: 'chk_lessons_title_not_blank', bad: { title: '' } },
  { table: 'lessons', constraint: 'chk_lessons_lesson_type_valid', bad: { lesson_type: 'slides' } },
  { table: 'lessons', constraint: 'chk_lessons_duration_positive', bad: { duration_seconds: 0 } },
  { table: 'lessons', constraint: 'chk_lessons_status_valid', bad: { status: 'archived' } },
  { table: 'lessons', constraint: 'chk_lessons_published_at_set', bad: { status: 'published', published_at: null } },
  // Both lessons go to the factory's shared course (see factories/education.ts); the position is beyond
  // the factory's own counter.
  {
    table: 'lessons',
    constraint: 'uq_lessons_course_id_position',
    first: { position: 1_000_000 },
    bad: { position: 1_000_000 },
  },
  { table: 'course_enrollments', constraint: 'chk_course_enrollments_status_valid', bad: { status: 'paused' } },
  {
    table: 'course_enrollments',
    constraint: 'chk_course_enrollments_progress_range',
    bad: { progress_percentage: 101 },
  },
  {
    table: 'course_enrollments',
    constraint: 'chk_course_enrollments_progress_range',
    bad: { progress_percentage: -1 },
  },
  {
    table: 'course_enrollments',
    constraint: 'chk_course_enrollments_completed_at_set',
    bad: { status: 'completed', completed_at: null },
  },
  {
    table: 'course_enrollments',
    constraint: 'chk_course_enrollments_cancelled_at_set',
    bad: { status: 'cancelled', cancelled_at: null },
  },
  { table: 'lesson_progress', constraint: 'chk_lesson_progress_status_valid', bad: { status: 'not_started' } },
  {
    table: 'lesson_progress',
    constraint: 'chk_lesson_progress_last_position_non_negative',
    bad: { last_position_seconds: -1 },
  },
  {
    table: 'lesson_progress',
    constraint: 'chk_lesson_progress_completed_at_set',
    bad: { status: 'completed', completed_at: null },
  },
  { table: 'quizzes', constraint: 'chk_quizzes_parent_exactly_one', bad: { course_id: null } },
  { table: 'quizzes', constraint: 'chk_quizzes_title_not_blank', bad: { title: ' ' } },
  { table: 'quizzes', constraint: 'chk_quizzes_questions_array', bad: { questions: { q1: 'not a list' } } },
  { table: 'quizzes', constraint: 'chk_quizzes_passing_score_range', bad: { passing_score_percentage: 101 } },
  { table: 'quizzes', constraint: 'chk_quizzes_passing_score_range', bad: { passing_score_percentage: -1 } },
  { table: 'quizzes', constraint: 'chk_quizzes_max_attempts_positive', bad: { max_attempts: 0 } },
  { table: 'quizzes', constraint: 'chk_quizzes_status_valid', bad: { status: 'archived' } },
  // Migration 0051 (ADR 0082): time limits and the deadlines they give attempts.
  { table: 'quizzes', constraint: 'chk_quizzes_time_limit_positive', bad: { time_limit_seconds: 0 } },
  {
    table: 'quiz_attempts',
    constraint: 'chk_quiz_attempts_deadline_after_start',
    bad: { started_at: future, deadline_at: past },
  },
  { table: 'quiz_attempts', constraint: 'chk_quiz_attempts_attempt_number_positive', bad: { attempt_number: 0 } },
  { table: 'quiz_attempts', constraint: 'chk_quiz_attempts_answers_object', bad: { answers: ['a'] } },
  {
    table: 'quiz_attempts',
    constraint: 'chk_quiz_attempts_score_range',
    bad: { submitted_at: future, score_percentage: 101, passed: true },
  },
  { table: 'quiz_attempts', constraint: 'chk_quiz_attempts_graded_when_submitted', bad: { submitted_at: future } },
  { table: 'quiz_attempts', constraint: 'chk_quiz_attempts_graded_when_submitted', bad: { score_percentage: 80 } },
  {
    table: 'quiz_attempts',
    constraint: 'chk_quiz_attempts_submitted_after_start',
    bad: { started_at: future, submitted_at: past, score_percentage: 80, passed: true },
  },
  {
    table: 'certificates',
    constraint: 'chk_certificates_verification_code_length',
    bad: { verification_code: 'short' },
  },
  { table: 'certificates', constraint: 'chk_certificates_revocation_reason_set', bad: { revoked_at: past } },
];
