// The course policy as a table (ADR 0081): who may view, manage, study, and open a lesson, by course state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import {
  mayManage,
  mayOpenLesson,
  mayRevokeCertificates,
  mayStudy,
  mayView,
  type CourseSubject,
} from './education.policy.ts';

const creator: Caller = { userId: '11111111-1111-4111-8111-111111111111', role: 'creator' };
const learner: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const stranger: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };
const callers = { anonymous: null, creator, learner, stranger } as const;
type Who = keyof typeof callers;

const course = (
  status: string,
  visibility: CourseSubject['visibility'] = 'public',
  deleted = false,
): CourseSubject => ({
  creator_id: creator.userId,
  status,
  visibility,
  deleted_at: deleted ? new Date('2030-01-01') : null,
});
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

// [course, who, view, manage, study, open a non-preview published lesson]
const table: [CourseSubject, Who, string, string, string, string][] = [
  [course('draft'), 'anonymous', 'hidden', 'unauthenticated', 'unauthenticated', 'hidden'],
  [course('draft'), 'stranger', 'hidden', 'hidden', 'hidden', 'hidden'],
  [course('draft'), 'creator', 'allow', 'allow', 'forbidden', 'allow'],
  [course('published'), 'anonymous', 'allow', 'unauthenticated', 'unauthenticated', 'unauthenticated'],
  [course('published'), 'stranger', 'allow', 'forbidden', 'forbidden', 'forbidden'],
  [course('published'), 'learner', 'allow', 'forbidden', 'allow', 'allow'],
  [course('published'), 'creator', 'allow', 'allow', 'forbidden', 'allow'],
  [course('published', 'unlisted'), 'stranger', 'allow', 'forbidden', 'forbidden', 'forbidden'],
  [course('published', 'private'), 'stranger', 'hidden', 'hidden', 'hidden', 'hidden'],
  [course('published', 'private'), 'learner', 'allow', 'forbidden', 'allow', 'allow'],
  [course('archived'), 'learner', 'allow', 'forbidden', 'allow', 'allow'],
  [course('published', 'public', true), 'stranger', 'hidden', 'hidden', 'hidden', 'hidden'],
  [course('published', 'public', true), 'creator', 'hidden', 'hidden', 'hidden', 'hidden'],
  [course('published', 'public', true), 'learner', 'allow', 'forbidden', 'allow', 'allow'],
];

test('the course policy, case by case', () => {
  for (const [subject, who, view, manage, study, open] of table) {
    const caller = callers[who];
    const enrolment = who === 'learner' ? { status: 'active' } : null;
    const label = `${subject.status}/${subject.visibility}/${subject.deleted_at ? 'deleted' : 'live'} ${who}`;
    assert.equal(answer(mayView(caller, subject, enrolment)), view, `view ${label}`);
    assert.equal(answer(mayManage(caller, subject, enrolment)), manage, `manage ${label}`);
    assert.equal(answer(mayStudy(caller, subject, enrolment)), study, `study ${label}`);
    const lesson = { is_preview: false, status: 'published' };
    assert.equal(answer(mayOpenLesson(caller, subject, enrolment, lesson)), open, `open ${label}`);
  }
});

test('a cancelled enrolment studies nothing; a preview lesson opens for anyone who sees the course', () => {
  assert.equal(answer(mayStudy(learner, course('published'), { status: 'cancelled' })), 'forbidden');
  const preview = { is_preview: true, status: 'published' };
  assert.equal(answer(mayOpenLesson(null, course('published'), null, preview)), 'allow');
  assert.equal(answer(mayOpenLesson(stranger, course('published'), null, { ...preview, status: 'draft' })), 'hidden');
  assert.equal(answer(mayOpenLesson(null, course('draft'), null, preview)), 'hidden');
});

test('revoking certificates: the creator of a live course, an admin on any course, nobody else', () => {
  const admin: Caller = { userId: '44444444-4444-4444-8444-444444444444', role: 'admin' };
  const moderator: Caller = { userId: '55555555-5555-4555-8555-555555555555', role: 'moderator' };
  const cases: [CourseSubject | null, Caller | null, string][] = [
    [course('published'), creator, 'allow'],
    [course('published'), admin, 'allow'],
    [course('published', 'private', true), admin, 'allow'],
    [course('published'), moderator, 'forbidden'],
    [course('published'), learner, 'forbidden'],
    [course('published'), null, 'unauthenticated'],
    [course('published', 'private'), moderator, 'hidden'],
    [course('published', 'public', true), creator, 'hidden'],
    [null, admin, 'hidden'],
  ];
  for (const [subject, caller, expected] of cases)
    assert.equal(
      answer(mayRevokeCertificates(caller, subject)),
      expected,
      `${caller?.role ?? 'anonymous'} on ${JSON.stringify(subject)}`,
    );
});
