// The learner's education data is personal data (db/table-registry.json): the GDPR export holds their enrolment,
// lesson progress, quiz attempts with their answers and their certificate, and nobody else's.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extract } from 'tar';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { as, person, publishedCourse, RIGHT } from './education.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

test('the export holds the learner’s enrolment, progress, attempts and certificate, and nobody else’s', async () => {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  const other = await person(testApp.current);
  const { courseId, lessons, quizId } = await publishedCourse(testApp.current, creator);
  for (const who of [learner, other]) {
    const me = as(testApp.current, who);
    await me('POST', `/v1/courses/${courseId}/enrolment`);
    for (const lesson of lessons)
      await me('PUT', `/v1/courses/${courseId}/lessons/${lesson}/progress`, { completed: true });
    const attempt = (await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`)).json();
    const graded = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts/${attempt.id}/submission`, {
      answers: RIGHT,
    });
    assert.ok(graded.json().certificate_id, graded.body);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-education-export-'));
  scratch.push(dataDir);
  const archive = await exportUserData(testApp.current.pool.db, learner.id, dataDir);
  const unpacked = await mkdtemp(join(tmpdir(), 'veza-education-export-unpacked-'));
  scratch.push(unpacked);
  await extract({ file: archive.path, cwd: unpacked });
  const { tables } = JSON.parse(await readFile(join(unpacked, 'export.json'), 'utf8')) as {
    tables: Record<string, Record<string, unknown>[]>;
  };
  const enrolments = tables.course_enrollments ?? [];
  assert.deepEqual(
    enrolments.map((e) => e.user_id),
    [learner.id],
  );
  const enrolmentId = enrolments[0]!.id;
  assert.equal((tables.lesson_progress ?? []).length, 3);
  assert.ok((tables.lesson_progress ?? []).every((p) => p.enrollment_id === enrolmentId));
  const attempts = tables.quiz_attempts ?? [];
  assert.equal(attempts.length, 1);
  assert.deepEqual(attempts[0]!.answers, RIGHT, 'the learner’s own answers are theirs');
  assert.ok(attempts[0]!.deadline_at, 'the deadline column is exported');
  assert.deepEqual(
    (tables.certificates ?? []).map((c) => c.enrollment_id),
    [enrolmentId],
  );
  assert.ok(!JSON.stringify(tables).includes(other.id), 'nothing of the other learner');
});
