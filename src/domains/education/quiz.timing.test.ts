// Quiz time limits are enforced by the server (issue 17 §3, ADR 0082): the deadline is stored when the attempt
// starts, a submission after it is refused and changes nothing, and an attempt left open past it counts, with
// score 0, when the next one starts. The service runs on an injected clock: no waiting, no dependence on today.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConfig, useTestApp } from '../../../test/helpers/app.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { createEducationService } from './education.module.ts';
import { as, courseState, person, publishedCourse, RIGHT } from './education.test-support.ts';

const testApp = useTestApp();

/** A clock the test moves by hand, starting at a fixed instant far from today. */
function handClock(start = '2031-03-01T09:00:00.000Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

test('a submission within the limit is graded; one after it is refused and writes nothing', async () => {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  const { courseId, quizId } = await publishedCourse(testApp.current, creator, { quiz: { time_limit_seconds: 300 } });
  await as(testApp.current, learner)('POST', `/v1/courses/${courseId}/enrolment`);
  const clock = handClock();
  const service = createEducationService(testApp.current.pool, testConfig(testApp.current.database.url), clock.now);
  const caller = { userId: learner.id, role: 'user' as const };

  const first = await service.startAttempt(caller, courseId, quizId);
  assert.equal(first.started_at, '2031-03-01T09:00:00.000Z');
  assert.equal(first.deadline_at, '2031-03-01T09:05:00.000Z', 'deadline = start + limit, stored at start');
  clock.advance(299);
  const inTime = await service.submitAttempt(caller, courseId, quizId, first.id, { answers: RIGHT });
  assert.equal(inTime.score_percentage, 100);
  assert.equal(inTime.submitted_at, '2031-03-01T09:04:59.000Z');

  // A new limit applies to attempts started afterwards only.
  const second = await service.startAttempt(caller, courseId, quizId);
  await testApp.current.database.sql`UPDATE quizzes SET time_limit_seconds = 3600 WHERE id = ${quizId}`;
  clock.advance(301);
  const before = await courseState(testApp.current, courseId);
  const late = await refusal(service.submitAttempt(caller, courseId, quizId, second.id, { answers: RIGHT }));
  assert.equal(late.status, 409);
  assert.equal(late.code, 'QUIZ_ATTEMPT_EXPIRED');
  assert.deepEqual(await courseState(testApp.current, courseId), before, 'a late submission writes nothing');

  // The expired attempt counts, with score 0, when the next starts; best stays 100, last becomes 0.
  const third = await service.startAttempt(caller, courseId, quizId);
  assert.equal(third.attempt_number, 3);
  assert.equal(
    new Date(third.deadline_at!).getTime() - new Date(third.started_at).getTime(),
    3_600_000,
    'the new limit applies to the new attempt',
  );
  const listed = await service.attempts(caller, courseId, quizId);
  assert.deepEqual(
    listed.attempts.map((a) => [a.attempt_number, a.score_percentage, a.submitted_at]),
    [
      [1, 100, '2031-03-01T09:04:59.000Z'],
      [2, 0, second.deadline_at],
      [3, null, null],
    ],
  );
  assert.equal(listed.best_score, 100);
  assert.equal(listed.last_score, 0);
  assert.equal(listed.attempts_left, 0);

  // Over HTTP (the real clock, years before the hand clock's times), the open attempt is still under way.
  const busy = await as(testApp.current, learner)('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`);
  assert.equal(busy.json().code, 'QUIZ_ATTEMPT_IN_PROGRESS');

  // Past the last deadline with no attempt left: refused, but the expired attempt is closed for good.
  clock.advance(3601);
  const exhausted = await refusal(service.startAttempt(caller, courseId, quizId));
  assert.equal(exhausted.code, 'QUIZ_ATTEMPTS_EXHAUSTED');
  const closed = await service.attempts(caller, courseId, quizId);
  assert.deepEqual(
    closed.attempts.map((a) => a.score_percentage),
    [100, 0, 0],
  );
});

test('an untimed quiz has no deadline: a submission days later is graded', async () => {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  const { courseId, quizId } = await publishedCourse(testApp.current, creator, {
    quiz: { time_limit_seconds: null },
  });
  await as(testApp.current, learner)('POST', `/v1/courses/${courseId}/enrolment`);
  const clock = handClock('2029-12-31T23:59:00.000Z');
  const service = createEducationService(testApp.current.pool, testConfig(testApp.current.database.url), clock.now);
  const caller = { userId: learner.id, role: 'user' as const };
  const attempt = await service.startAttempt(caller, courseId, quizId);
  assert.equal(attempt.deadline_at, null);
  clock.advance(5 * 86_400);
  const graded = await service.submitAttempt(caller, courseId, quizId, attempt.id, {
    answers: { gain: 'a', dynamics: ['comp', 'gate'], headroom: -7.5, chain: ['mic', 'pre', 'adc'] },
  });
  assert.equal(graded.score_percentage, 75, 'headroom -7.5 is outside -6 ± 1');
  assert.equal(graded.passed, true, '75 meets the passing score of 75');
});
