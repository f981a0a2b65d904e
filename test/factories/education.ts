import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

// Lesson positions and attempt numbers must be unique within a course / quiz and enrolment;
// process-wide counters keep them unique even when the parent is overridden.
let lessonPosition = 0;
let attemptNumber = 0;

const courses: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'courses', {
    creator_id: await parentId(o, 'creator_id', () => authFactories.users(sql)),
    slug: `mixing-basics-${token}`,
    title: `Mixing basics ${token}`,
    description: 'Gain staging, EQ and compression for home producers.',
    ...o,
  });
};

/**
 * One course per database for the lessons the factory creates on its own, so that the case for the
 * partial unique index uq_lessons_course_id_position (one live lesson per course and position) can
 * insert two lessons of the same course without naming a course that exists.
 */
const sharedCourses = new WeakMap<Sql, Promise<unknown>>();
function sharedCourse(sql: Sql): Promise<unknown> {
  let course = sharedCourses.get(sql);
  if (!course) {
    course = courses(sql).then((row) => row.id);
    sharedCourses.set(sql, course);
  }
  return course;
}

const lessons: Factory = async (sql, o = {}) => {
  lessonPosition += 1;
  return insertRow(sql, 'lessons', {
    course_id: 'course_id' in o ? o.course_id : await sharedCourse(sql),
    position: lessonPosition,
    title: `Lesson ${lessonPosition}: setting levels`,
    ...o,
  });
};

const courseEnrollments: Factory = async (sql, o = {}) =>
  insertRow(sql, 'course_enrollments', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    course_id: await parentId(o, 'course_id', () => courses(sql)),
    ...o,
  });

/** A course shared by the parents a row needs, unless the caller gave all of those parents. */
async function commonCourseId(sql: Sql, o: Record<string, unknown>, parents: string[]) {
  return parents.every((column) => column in o) ? undefined : (await courses(sql)).id;
}

const lessonProgress: Factory = async (sql, o = {}) => {
  const courseId = await commonCourseId(sql, o, ['enrollment_id', 'lesson_id']);
  return insertRow(sql, 'lesson_progress', {
    enrollment_id: await parentId(o, 'enrollment_id', () => courseEnrollments(sql, { course_id: courseId })),
    lesson_id: await parentId(o, 'lesson_id', () => lessons(sql, { course_id: courseId })),
    ...o,
  });
};

const sampleQuestions = [
  {
    id: 'q1',
    prompt: 'Which control sets the level going into a plug-in?',
    type: 'single_choice',
    options: [
      { id: 'a', label: 'Input gain' },
      { id: 'b', label: 'Master fader' },
    ],
    correct_option_ids: ['a'],
  },
];

// A course-level quiz unless the caller attaches it to a lesson (exactly one parent is set).
const quizzes: Factory = async (sql, o = {}) => {
  const parent =
    'lesson_id' in o && o.lesson_id !== null && !('course_id' in o)
      ? {}
      : { course_id: await parentId(o, 'course_id', () => courses(sql)) };
  return insertRow(sql, 'quizzes', {
    ...parent,
    title: `Check your understanding ${uniqueToken()}`,
    questions: sql.json(sampleQuestions),
    ...o,
  });
};

const quizAttempts: Factory = async (sql, o = {}) => {
  const courseId = await commonCourseId(sql, o, ['quiz_id', 'enrollment_id']);
  attemptNumber += 1;
  return insertRow(sql, 'quiz_attempts', {
    quiz_id: await parentId(o, 'quiz_id', () => quizzes(sql, { course_id: courseId })),
    enrollment_id: await parentId(o, 'enrollment_id', () => courseEnrollments(sql, { course_id: courseId })),
    attempt_number: attemptNumber,
    answers: sql.json({ q1: ['a'] }),
    ...o,
  });
};

const certificates: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'certificates', {
    enrollment_id: await parentId(o, 'enrollment_id', () =>
      courseEnrollments(sql, { status: 'completed', completed_at: new Date() }),
    ),
    certificate_number: `CERT-${token}`,
    verification_code: randomUUID().replaceAll('-', ''),
    recipient_name: 'Ada Example',
    course_title: `Mixing basics ${token}`,
    ...o,
  });
};

export const educationFactories = {
  courses,
  lessons,
  course_enrollments: courseEnrollments,
  lesson_progress: lessonProgress,
  quizzes,
  quiz_attempts: quizAttempts,
  certificates,
} satisfies Record<string, Factory>;
