// Who may call each education route (issue 17 "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tags courses, lessons, quizzes, learning, certificates), so a route added later is covered without
// touching this file: anonymous callers get 401 from every secured route; a stranger gets 404 COURSE_NOT_FOUND from
// every route naming someone's draft; on a published course a stranger gets 403 from every creator and learner
// route; and nothing changes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import {
  addLesson,
  as,
  courseState,
  draftCourse,
  person,
  publishedCourse,
  QUESTIONS,
  textLesson,
  type Person,
} from './education.test-support.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_RATE_LIMITS: JSON.stringify({ certificateVerification: { max: 3, window_seconds: 600 } }) }),
});
const educationRoutes = () =>
  documentedRoutes(testApp.current.app, 'courses', 'lessons', 'quizzes', 'learning', 'certificates');

async function world() {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  const draftId = await draftCourse(testApp.current, creator);
  const draftLesson = await addLesson(testApp.current, creator, draftId, textLesson('Secret'));
  const draftQuiz = (
    await as(testApp.current, creator)('POST', `/v1/courses/${draftId}/quizzes`, { title: 'Q', questions: QUESTIONS })
  ).json().id as string;
  const live = await publishedCourse(testApp.current, creator);
  await as(testApp.current, learner)('POST', `/v1/courses/${live.courseId}/enrolment`);
  const attempt = (
    await as(testApp.current, learner)('POST', `/v1/courses/${live.courseId}/quizzes/${live.quizId}/attempts`)
  ).json().id as string;
  return { creator, learner, draftId, draftLesson, draftQuiz, live, attempt };
}
type World = Awaited<ReturnType<typeof world>>;

function requestFor(
  route: DocumentedRoute,
  ids: { course: string; lesson: string; quiz: string; attempt: string },
  caller: Person | null,
) {
  const url = route.path
    .replace('{id}', ids.course)
    .replace('{lesson_id}', ids.lesson)
    .replace('{quiz_id}', ids.quiz)
    .replace('{attempt_id}', ids.attempt)
    .replace('{code}', 'x'.repeat(32));
  const bodies: Record<string, unknown> = {
    'POST /v1/courses': { title: 'Mine', description: '' },
    'PATCH /v1/courses/{id}': { title: 'Taken over' },
    'POST /v1/courses/{id}/lessons': textLesson('Intrusion'),
    'PUT /v1/courses/{id}/lessons/order': { lesson_ids: [ids.lesson] },
    'PATCH /v1/courses/{id}/lessons/{lesson_id}': { title: 'Taken over' },
    'PUT /v1/courses/{id}/lessons/{lesson_id}/progress': { completed: true },
    'POST /v1/courses/{id}/quizzes': { title: 'Intrusion', questions: QUESTIONS },
    'PATCH /v1/courses/{id}/quizzes/{quiz_id}': { title: 'Taken over' },
    'POST /v1/courses/{id}/quizzes/{quiz_id}/attempts/{attempt_id}/submission': { answers: {} },
    'POST /v1/courses/{id}/certificates/revocations': { certificate_number: 'VZC-2026-0000000000', reason: 'Taken' },
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url,
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  };
}

const state = async (w: World) => ({
  draft: await courseState(testApp.current, w.draftId),
  live: await courseState(testApp.current, w.live.courseId),
});

test('the education routes: secured ones need a token, public ones are reads and the verification', async () => {
  const routes = (await educationRoutes()).filter((r) => r.method !== 'HEAD');
  assert.ok(routes.length >= 30, routes.map((r) => r.key).join('\n'));
  assert.deepEqual(
    routes
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .sort(),
    [
      'GET /v1/certificates/verify/{code}',
      'GET /v1/courses',
      'GET /v1/courses/{id}',
      'GET /v1/courses/{id}/lessons/{lesson_id}',
      'GET /v1/courses/{id}/quizzes/{quiz_id}',
      // Only with a signed link naming its holder (ADR 0090): education.delivery.test.ts.
      'GET /v1/lesson-files/{course_id}/{lesson_id}/{file_id}',
    ],
  );
});

test('an anonymous caller gets 401 from every secured route, and nothing changes', async () => {
  const w = await world();
  const before = await state(w);
  const ids = { course: w.live.courseId, lesson: w.live.lessons[1]!, quiz: w.live.quizId, attempt: w.attempt };
  for (const route of (await educationRoutes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(requestFor(route, ids, null));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await state(w), before);
});

test('BOLA: a stranger reaches nothing of a draft by any route naming it (404), and changes nothing', async () => {
  const w = await world();
  const stranger = await person(testApp.current);
  const before = await state(w);
  const ids = { course: w.draftId, lesson: w.draftLesson, quiz: w.draftQuiz, attempt: randomUUID() };
  const named = (await educationRoutes()).filter((r) => r.path.startsWith('/v1/courses/{id}'));
  assert.ok(named.length >= 24, named.map((r) => r.key).join('\n'));
  for (const route of named) {
    const answer = await testApp.current.app.inject(requestFor(route, ids, stranger));
    assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
    if (route.method !== 'HEAD') assert.equal(answer.json().code, 'COURSE_NOT_FOUND', route.key);
  }
  // The learner's certificate PDF and another's attempt are not reachable either.
  const pdf = await as(testApp.current, stranger)('GET', `/v1/me/certificates/${randomUUID()}/pdf`);
  assert.equal(pdf.statusCode, 404);
  assert.deepEqual(await state(w), before, 'the draft is untouched');
});

test('on a published course, a stranger gets 403 from every creator and learner route, and changes nothing', async () => {
  const w = await world();
  const stranger = await person(testApp.current);
  const before = await state(w);
  const ids = { course: w.live.courseId, lesson: w.live.lessons[1]!, quiz: w.live.quizId, attempt: w.attempt };
  const open = new Set([
    'GET /v1/courses/{id}',
    'HEAD /v1/courses/{id}',
    'GET /v1/courses/{id}/quizzes/{quiz_id}',
    'HEAD /v1/courses/{id}/quizzes/{quiz_id}',
    'POST /v1/courses/{id}/enrolment',
  ]);
  const guarded = (await educationRoutes()).filter((r) => r.path.startsWith('/v1/courses/{id}') && !open.has(r.key));
  for (const route of guarded) {
    const answer = await testApp.current.app.inject(requestFor(route, ids, stranger));
    assert.equal(answer.statusCode, 403, `${route.key}: ${answer.statusCode} ${answer.body}`);
  }
  // The learner's own attempt, submitted by a stranger who then enrols, is still not theirs.
  await as(testApp.current, stranger)('POST', `/v1/courses/${w.live.courseId}/enrolment`);
  const submitted = await as(testApp.current, stranger)(
    'POST',
    `/v1/courses/${w.live.courseId}/quizzes/${w.live.quizId}/attempts/${w.attempt}/submission`,
    { answers: {} },
  );
  assert.equal(submitted.statusCode, 404);
  const after = await state(w);
  assert.deepEqual(after.draft, before.draft);
  assert.deepEqual(after.live.attempts, before.live.attempts, 'the learner’s attempt is untouched');
  assert.deepEqual(after.live.lessons, before.live.lessons);
  assert.deepEqual(after.live.quizzes, before.live.quizzes);
});

test('certificate verification is rate-limited per address: 429 with Retry-After', async () => {
  const anonymous = as(testApp.current, null);
  for (let i = 0; i < 3; i++)
    assert.equal((await anonymous('GET', `/v1/certificates/verify/${'g'.repeat(20 + i)}`)).statusCode, 404);
  const limited = await anonymous('GET', `/v1/certificates/verify/${'g'.repeat(30)}`);
  assert.equal(limited.statusCode, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0);
});
