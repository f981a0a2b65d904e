// Shared by the education tests: creators and learners with tokens, files ready for lessons, a course built and
// published through the API (lessons of each type, a timed quiz), paid orders, and the course's rows for
// before/after comparisons.
import assert from 'node:assert/strict';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { as, file, person, type Call, type Person } from '../marketplace/products.test-support.ts';

export { as, file, person, type Call, type Person };

/** One question of each type; the answer key is in `RIGHT`. */
export const QUESTIONS = [
  {
    id: 'gain',
    type: 'single_choice',
    prompt: 'Which control sets the level going into a plug-in?',
    options: [
      { id: 'a', label: 'Input gain' },
      { id: 'b', label: 'Master fader' },
    ],
    correct_option_id: 'a',
    explanation: 'Gain staging happens before the plug-in.',
  },
  {
    id: 'dynamics',
    type: 'multiple_choice',
    prompt: 'Which of these are dynamics processors?',
    options: [
      { id: 'comp', label: 'Compressor' },
      { id: 'gate', label: 'Gate' },
      { id: 'eq', label: 'Equaliser' },
    ],
    correct_option_ids: ['comp', 'gate'],
  },
  {
    id: 'headroom',
    type: 'numeric',
    prompt: 'Peak headroom to leave before mastering, in dB?',
    answer: -6,
    tolerance: 1,
    unit: 'dB',
  },
  {
    id: 'chain',
    type: 'ordering',
    prompt: 'Put the signal chain in order',
    items: [
      { id: 'mic', label: 'Microphone' },
      { id: 'pre', label: 'Preamp' },
      { id: 'adc', label: 'Converter' },
    ],
    correct_order: ['mic', 'pre', 'adc'],
  },
];

export const RIGHT = { gain: 'a', dynamics: ['gate', 'comp'], headroom: -5.5, chain: ['mic', 'pre', 'adc'] };

/** A course draft made through the API by `creator`; answers its id. */
export async function draftCourse(testApp: TestApp, creator: Person, body: Record<string, unknown> = {}) {
  const answer = await as(testApp, creator)('POST', '/v1/courses', {
    title: 'Mixing basics',
    description: 'Gain staging, dynamics and the signal chain.',
    level: 'beginner',
    ...body,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** Adds a lesson through the API; answers its id. */
export async function addLesson(testApp: TestApp, creator: Person, courseId: string, body: Record<string, unknown>) {
  const answer = await as(testApp, creator)('POST', `/v1/courses/${courseId}/lessons`, body);
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

export const textLesson = (title: string) => ({ title, lesson_type: 'text', content: `# ${title}\nRead me.` });

/**
 * A published course of `creator`: a video lesson, a text lesson, a downloadable file lesson, and a final quiz with
 * the four question types (time limit, attempts as given). Answers the ids.
 */
export async function publishedCourse(
  testApp: TestApp,
  creator: Person,
  options: { course?: Record<string, unknown>; quiz?: Record<string, unknown> } = {},
) {
  const courseId = await draftCourse(testApp, creator, options.course);
  const video = await file(testApp, creator, { mime_type: 'video/mp4' });
  const lessons = [
    await addLesson(testApp, creator, courseId, {
      title: 'Levels',
      lesson_type: 'video',
      video_file_id: video,
      duration_seconds: 600,
      is_preview: true,
    }),
    await addLesson(testApp, creator, courseId, textLesson('Dynamics')),
    await addLesson(testApp, creator, courseId, {
      title: 'Session files',
      lesson_type: 'file',
      download_file_id: await file(testApp, creator, { mime_type: 'application/zip' }),
    }),
  ];
  const quiz = await as(testApp, creator)('POST', `/v1/courses/${courseId}/quizzes`, {
    title: 'Final check',
    questions: QUESTIONS,
    passing_score_percentage: 75,
    max_attempts: 3,
    time_limit_seconds: 600,
    ...options.quiz,
  });
  assert.equal(quiz.statusCode, 201, quiz.body);
  const published = await as(testApp, creator)('POST', `/v1/courses/${courseId}/publish`);
  assert.equal(published.statusCode, 200, published.body);
  return { courseId, lessons, quizId: quiz.json<{ id: string }>().id };
}

/** `buyer` holds a paid order with a line of `productId`. */
export async function paidOrder(testApp: TestApp, buyer: Person, productId: string, sellerId: string, status = 'paid') {
  const { sql } = testApp.database;
  const order = await allFactories.orders!(sql, { user_id: buyer.id, status, paid_at: new Date('2026-01-01') });
  await allFactories.order_items!(sql, { order_id: order.id, product_id: productId, seller_id: sellerId });
  return String(order.id);
}

/** The rows of a course and everything in it, to compare before and after a refused request. */
export async function courseState(testApp: TestApp, courseId: string) {
  const { sql } = testApp.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(c) FROM courses c WHERE id = ${courseId}) AS course,
           (SELECT json_agg(l ORDER BY id) FROM lessons l WHERE course_id = ${courseId}) AS lessons,
           (SELECT json_agg(q ORDER BY id) FROM quizzes q
             WHERE course_id = ${courseId} OR lesson_id IN (SELECT id FROM lessons WHERE course_id = ${courseId}))
             AS quizzes,
           (SELECT json_agg(e ORDER BY id) FROM course_enrollments e WHERE course_id = ${courseId}) AS enrolments,
           (SELECT json_agg(a ORDER BY a.id) FROM quiz_attempts a
             JOIN course_enrollments e ON e.id = a.enrollment_id WHERE e.course_id = ${courseId}) AS attempts,
           (SELECT json_agg(p ORDER BY p.id) FROM lesson_progress p
             JOIN course_enrollments e ON e.id = p.enrollment_id WHERE e.course_id = ${courseId}) AS progress`;
  return state ?? {};
}
