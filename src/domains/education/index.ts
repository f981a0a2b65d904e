// The education domain (spec §11 Education). Other domains import from this file only.
export { educationModule } from './education.module.ts';
/** For the marketplace's refund, in its transaction (ADR 0090). */
export { cancelEnrolmentsOfOrder } from './education.repository.ts';

/** Tables this domain owns: only its repositories read or write them (migration 0009). */
export const educationTables = [
  'courses',
  'lessons',
  'course_enrollments',
  'lesson_progress',
  'quizzes',
  'quiz_attempts',
  'certificates',
] as const;
