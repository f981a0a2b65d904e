// Issue 17 "Done when" (education): a creator publishes a course with a quiz; a learner enrols, completes the
// lessons, passes the quiz, gets a certificate whose PDF and verification endpoint work; cheating attempts fail.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { useTestApp } from '../../../test/helpers/app.ts';
import { draft } from '../marketplace/products.test-support.ts';
import {
  addLesson,
  as,
  courseState,
  draftCourse,
  file,
  paidOrder,
  person,
  publishedCourse,
  QUESTIONS,
  RIGHT,
  textLesson,
} from './education.test-support.ts';

const run = promisify(execFile);
const testApp = useTestApp();

test('course to certificate: enrol, complete lessons, pass the quiz, PDF and public verification', async () => {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  await testApp.current.database.sql`UPDATE users SET display_name = 'Ada Lovelace' WHERE id = ${learner.id}`;
  const { courseId, lessons, quizId } = await publishedCourse(testApp.current, creator);
  const me = as(testApp.current, learner);

  // The catalogue lists it; the page shows the outline and the quiz without questions.
  const listed = await me('GET', `/v1/courses?creator_id=${creator.id}`);
  assert.deepEqual(
    listed.json().items.map((c: { id: string }) => c.id),
    [courseId],
  );
  const page = (await me('GET', `/v1/courses/${courseId}`)).json();
  assert.equal(page.lesson_count, 3);
  assert.equal(page.total_duration_seconds, 600);
  assert.deepEqual(
    page.lessons.map((l: { position: number }) => l.position),
    [1, 2, 3],
  );
  assert.equal(page.quizzes[0].question_count, 4);
  assert.ok(!JSON.stringify(page).includes('correct_option'), 'no answer key on the page');

  // Only the preview lesson is open before enrolling.
  assert.equal((await me('GET', `/v1/courses/${courseId}/lessons/${lessons[0]}`)).statusCode, 200);
  const closed = await me('GET', `/v1/courses/${courseId}/lessons/${lessons[1]}`);
  assert.equal(closed.statusCode, 403);
  assert.equal(closed.json().code, 'NOT_ENROLLED');

  const enrolled = await me('POST', `/v1/courses/${courseId}/enrolment`);
  assert.equal(enrolled.statusCode, 201, enrolled.body);
  assert.equal((await me('POST', `/v1/courses/${courseId}/enrolment`)).statusCode, 200, 'enrolling twice is no-op');
  assert.equal((await me('GET', `/v1/courses/${courseId}`)).json().enrollment_count, 1);

  // Progress: a position, then completion; the course percentage is computed.
  const moved = await me('PUT', `/v1/courses/${courseId}/lessons/${lessons[0]}/progress`, { position_seconds: 120 });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().lesson.status, 'in_progress');
  assert.equal(moved.json().lesson.last_position_seconds, 120);
  for (const lesson of lessons) {
    const done = await me('PUT', `/v1/courses/${courseId}/lessons/${lesson}/progress`, { completed: true });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().certificate_id, null, 'no certificate before the quiz is passed');
  }
  assert.equal((await me('GET', '/v1/me/enrolments')).json().items[0].progress_percentage, 100);

  // The attempt shows questions without any answer key, ordering items shuffled but complete.
  const started = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`);
  assert.equal(started.statusCode, 201, started.body);
  const attempt = started.json();
  assert.ok(attempt.deadline_at, 'a timed quiz stores its deadline');
  for (const forbidden of [
    'correct_option_id',
    'correct_option_ids',
    'correct_order',
    'tolerance',
    'explanation',
    '"answer"',
  ])
    assert.ok(!started.body.includes(forbidden), `${forbidden} leaked`);
  const ordering = attempt.questions.find((q: { id: string }) => q.id === 'chain');
  assert.deepEqual(ordering.items.map((i: { id: string }) => i.id).sort(), ['adc', 'mic', 'pre']);

  // A first, wrong submission: graded, not passed, right/wrong per question, still no key.
  const wrong = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts/${attempt.id}/submission`, {
    answers: { gain: 'b', dynamics: ['comp'], headroom: -6, chain: ['pre', 'mic', 'adc'] },
  });
  assert.equal(wrong.statusCode, 200, wrong.body);
  assert.equal(wrong.json().score_percentage, 25);
  assert.equal(wrong.json().passed, false);
  assert.deepEqual(
    wrong.json().results.map((r: { correct: boolean }) => r.correct),
    [false, false, true, false],
  );
  assert.ok(!wrong.body.includes('correct_option'));
  const again = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts/${attempt.id}/submission`, {
    answers: RIGHT,
  });
  assert.equal(again.statusCode, 409, 'a submitted attempt cannot be submitted again');
  assert.equal(again.json().code, 'QUIZ_ATTEMPT_SUBMITTED');

  const second = (await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`)).json();
  assert.equal(second.attempt_number, 2);
  const passed = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts/${second.id}/submission`, {
    answers: RIGHT,
  });
  assert.equal(passed.statusCode, 200, passed.body);
  assert.equal(passed.json().score_percentage, 100);
  assert.equal(passed.json().passed, true);
  const certificateId = passed.json().certificate_id;
  assert.ok(certificateId, 'the pass completing the course issues the certificate');

  const attempts = (await me('GET', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`)).json();
  assert.equal(attempts.best_score, 100);
  assert.equal(attempts.last_score, 100);
  assert.equal(attempts.attempts_left, 1);
  const progress = (await me('GET', `/v1/courses/${courseId}/progress`)).json();
  assert.equal(progress.enrolment.status, 'completed');
  assert.equal(progress.certificate_id, certificateId);

  // The certificate: listed, a PDF whose text pdftotext reads, a public verification showing three facts.
  const certificates = (await me('GET', '/v1/me/certificates')).json().items;
  assert.equal(certificates.length, 1);
  const certificate = certificates[0];
  assert.equal(certificate.recipient_name, 'Ada Lovelace');
  assert.ok(certificate.verification_code.length >= 32);
  const pdf = await me('GET', `/v1/me/certificates/${certificateId}/pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  const dir = await mkdtemp(join(tmpdir(), 'veza-certificate-'));
  try {
    await writeFile(join(dir, 'c.pdf'), pdf.rawPayload);
    await run('pdftoppm', ['-png', '-r', '40', join(dir, 'c.pdf'), join(dir, 'page')]);
    assert.ok((await readFile(join(dir, 'page-1.png'))).length > 1000, 'pdftoppm rendered the page');
    const { stdout } = await run('pdftotext', ['-layout', join(dir, 'c.pdf'), '-']);
    for (const text of ['Certificate of completion', 'Ada Lovelace', 'Mixing basics', certificate.certificate_number])
      assert.ok(stdout.includes(text), `${text} in ${stdout}`);
    assert.ok(stdout.replace(/\s+/g, '').includes(certificate.verification_code), 'the verification code is printed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const verified = await as(testApp.current, null)('GET', `/v1/certificates/verify/${certificate.verification_code}`);
  assert.equal(verified.statusCode, 200, verified.body);
  // revoked_on (ADR 0090) is a date, null while the certificate stands: nothing more of the learner.
  assert.deepEqual(Object.keys(verified.json()).sort(), [
    'course_title',
    'issued_on',
    'recipient_name',
    'revoked_on',
    'valid',
  ]);
  assert.equal(verified.json().revoked_on, null);
  assert.equal(verified.json().recipient_name, 'Ada Lovelace');
  assert.match(verified.json().issued_on, /^\d{4}-\d{2}-\d{2}$/);
  const guessed = await as(testApp.current, null)('GET', `/v1/certificates/verify/${'A'.repeat(32)}`);
  assert.equal(guessed.statusCode, 404);
  assert.equal(guessed.json().code, 'CERTIFICATE_NOT_FOUND');
  assert.equal((await as(testApp.current, null)('GET', '/v1/certificates/verify/short')).statusCode, 400);
  // Another account cannot fetch the learner's PDF.
  const stranger = await person(testApp.current);
  assert.equal(
    (await as(testApp.current, stranger)('GET', `/v1/me/certificates/${certificateId}/pdf`)).statusCode,
    404,
  );

  // The creator sees aggregates only.
  const stats = await as(testApp.current, creator)('GET', `/v1/courses/${courseId}/statistics`);
  assert.equal(stats.statusCode, 200, stats.body);
  assert.deepEqual(stats.json().enrolments, { active: 0, completed: 1, cancelled: 0 });
  assert.equal(stats.json().completion_rate, 1);
  assert.equal(stats.json().certificates_issued, 1);
  assert.deepEqual(stats.json().quizzes[0], {
    quiz_id: quizId,
    title: 'Final check',
    learners_attempted: 1,
    learners_passed: 1,
    submitted_attempts: 2,
    average_best_score: 100,
  });
  assert.ok(!stats.body.includes(learner.id), 'no learner is named');
  assert.equal((await me('GET', `/v1/courses/${courseId}/statistics`)).statusCode, 403);
});

test('cheating fails: answers for another quiz, extra fields, unknown options, a quiz never published', async () => {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  const { courseId, quizId } = await publishedCourse(testApp.current, creator);
  const other = await publishedCourse(testApp.current, creator, {
    quiz: { questions: [{ ...QUESTIONS[0], id: 'elsewhere' }] },
  });
  const me = as(testApp.current, learner);
  assert.equal((await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`)).statusCode, 403, 'enrol first');
  await me('POST', `/v1/courses/${courseId}/enrolment`);
  await me('POST', `/v1/courses/${other.courseId}/enrolment`);
  const attempt = (await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`)).json();
  const submit = (body: unknown, quiz = quizId, course = courseId) =>
    me('POST', `/v1/courses/${course}/quizzes/${quiz}/attempts/${attempt.id}/submission`, body);
  const before = await courseState(testApp.current, courseId);

  const foreign = await submit({ answers: { ...RIGHT, elsewhere: 'a' } });
  assert.equal(foreign.statusCode, 422);
  assert.equal(foreign.json().code, 'QUIZ_ANSWERS_INVALID');
  assert.equal(foreign.json().errors[0].field, 'body.answers.elsewhere');
  assert.equal(foreign.json().errors[0].rule, 'knownQuestion');
  const extra = await submit({ answers: RIGHT, score_percentage: 100 });
  assert.equal(extra.statusCode, 400);
  assert.equal(extra.json().errors[0].rule, 'additionalProperties');
  const forged = await submit({ answers: { ...RIGHT, gain: 'z' } });
  assert.equal(forged.statusCode, 422);
  assert.equal(forged.json().errors[0].rule, 'knownOption');
  const shape = await submit({ answers: { ...RIGHT, headroom: ['a'] } });
  assert.equal(shape.statusCode, 422);
  assert.equal(shape.json().errors[0].rule, 'answerType');
  // The attempt of one quiz submitted under the other quiz's address is not found there.
  const crossed = await submit({ answers: { elsewhere: 'a' } }, other.quizId, other.courseId);
  assert.equal(crossed.statusCode, 404);
  assert.equal(crossed.json().code, 'QUIZ_ATTEMPT_NOT_FOUND');
  assert.deepEqual(await courseState(testApp.current, courseId), before, 'refused submissions change nothing');

  // A draft quiz added to the published course is not reachable by learners.
  const draftQuiz = await as(testApp.current, creator)('POST', `/v1/courses/${courseId}/quizzes`, {
    title: 'Not yet',
    questions: QUESTIONS,
  });
  const hidden = await me('POST', `/v1/courses/${courseId}/quizzes/${draftQuiz.json().id}/attempts`);
  assert.equal(hidden.statusCode, 404);
  assert.equal((await me('GET', `/v1/courses/${courseId}/quizzes/${draftQuiz.json().id}/questions`)).statusCode, 403);
});

test('attempts are limited; one attempt at a time', async () => {
  const creator = await person(testApp.current);
  const learner = await person(testApp.current);
  const { courseId, quizId } = await publishedCourse(testApp.current, creator, { quiz: { max_attempts: 2 } });
  const me = as(testApp.current, learner);
  await me('POST', `/v1/courses/${courseId}/enrolment`);
  for (let i = 0; i < 2; i++) {
    const attempt = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`);
    assert.equal(attempt.statusCode, 201, attempt.body);
    const busy = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`);
    assert.equal(busy.json().code, 'QUIZ_ATTEMPT_IN_PROGRESS');
    await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts/${attempt.json().id}/submission`, {
      answers: {},
    });
  }
  const third = await me('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`);
  assert.equal(third.statusCode, 409);
  assert.equal(third.json().code, 'QUIZ_ATTEMPTS_EXHAUSTED');
  // Racing starts: exactly one attempt is made (the enrolment row serialises them).
  const racer = await person(testApp.current);
  await as(testApp.current, racer)('POST', `/v1/courses/${courseId}/enrolment`);
  const raced = await Promise.all(
    Array.from({ length: 4 }, () =>
      as(testApp.current, racer)('POST', `/v1/courses/${courseId}/quizzes/${quizId}/attempts`),
    ),
  );
  assert.deepEqual(raced.map((r) => r.statusCode).sort(), [201, 409, 409, 409]);
});

test('building: file checks, content per type, question validation, publishing rules', async () => {
  const creator = await person(testApp.current);
  const other = await person(testApp.current);
  const me = as(testApp.current, creator);
  const courseId = await draftCourse(testApp.current, creator);
  const notMine = await file(testApp.current, other, { mime_type: 'video/mp4' });
  const audio = await file(testApp.current, creator, { mime_type: 'audio/mpeg' });
  const cases: [Record<string, unknown>, number, string, string][] = [
    [{ title: 'x', lesson_type: 'video', video_file_id: notMine }, 422, 'body.video_file_id', 'owner'],
    [{ title: 'x', lesson_type: 'video', video_file_id: audio }, 422, 'body.video_file_id', 'mediaType'],
    [{ title: 'x', lesson_type: 'video' }, 422, 'body.video_file_id', 'required'],
    [{ title: 'x', lesson_type: 'text', content: 'hi', audio_file_id: audio }, 422, 'body.audio_file_id', 'lessonType'],
    [{ title: 'x', lesson_type: 'text' }, 422, 'body.content', 'required'],
    [{ title: 'x', lesson_type: 'podcast' }, 400, 'body.lesson_type', 'enum'],
  ];
  for (const [body, status, field, rule] of cases) {
    const answer = await me('POST', `/v1/courses/${courseId}/lessons`, body);
    assert.equal(answer.statusCode, status, `${JSON.stringify(body)}: ${answer.body}`);
    assert.ok(
      answer.json().errors.some((e: { field: string; rule: string }) => e.field === field && e.rule === rule),
      `${JSON.stringify(body)}: ${answer.body}`,
    );
  }
  const cover = await me('PATCH', `/v1/courses/${courseId}`, { cover_file_id: audio });
  assert.equal(cover.statusCode, 422);
  assert.equal(cover.json().errors[0].field, 'body.cover_file_id');

  // Question rules a schema cannot say.
  const badKey = await me('POST', `/v1/courses/${courseId}/quizzes`, {
    title: 'Q',
    questions: [{ ...QUESTIONS[0], correct_option_id: 'zz' }, QUESTIONS[0]],
  });
  assert.equal(badKey.statusCode, 422, badKey.body);
  assert.deepEqual(
    badKey
      .json()
      .errors.map((e: { rule: string }) => e.rule)
      .sort(),
    ['knownOption', 'uniqueQuestionIds'],
  );
  const badType = await me('POST', `/v1/courses/${courseId}/quizzes`, {
    title: 'Q',
    questions: [{ id: 'q', type: 'essay', prompt: 'Write' }],
  });
  assert.equal(badType.statusCode, 400);

  // Publishing: nothing to publish; then a video still in the scanner.
  const empty = await me('POST', `/v1/courses/${courseId}/publish`);
  assert.equal(empty.statusCode, 409);
  assert.equal(empty.json().code, 'COURSE_NOT_PUBLISHABLE');
  const unscanned = await file(testApp.current, creator, {
    mime_type: 'video/mp4',
    virus_scanned: false,
    virus_scan_result: null,
    is_processed: false,
    metadata: { processing: { status: 'processing', steps: {}, attempts: 1 } },
  });
  await addLesson(testApp.current, creator, courseId, { title: 'v', lesson_type: 'video', video_file_id: unscanned });
  const pending = await me('POST', `/v1/courses/${courseId}/publish`);
  assert.equal(pending.statusCode, 409, pending.body);
  assert.equal(pending.json().errors[0].rule, 'processed');
  assert.equal((await me('GET', `/v1/courses/${courseId}`)).json().status, 'draft');
});

test('a paid course: only a paid order line of its product enrols; the product must be the creator’s', async () => {
  const creator = await person(testApp.current);
  const buyer = await person(testApp.current);
  const freeloader = await person(testApp.current);
  const refunded = await person(testApp.current);
  const productId = await draft(testApp.current, creator);
  const someoneElses = await draft(testApp.current, buyer);
  const refused = await as(testApp.current, creator)('POST', '/v1/courses', {
    title: 'Paid',
    description: '',
    product_id: someoneElses,
  });
  assert.equal(refused.statusCode, 422);
  assert.equal(refused.json().code, 'COURSE_PRODUCT_UNUSABLE');
  const { courseId } = await publishedCourse(testApp.current, creator, { course: { product_id: productId } });
  assert.equal((await as(testApp.current, buyer)('GET', `/v1/courses/${courseId}`)).json().free, false);

  await paidOrder(testApp.current, buyer, productId, creator.id);
  await paidOrder(testApp.current, refunded, productId, creator.id, 'refunded');
  const paid = await as(testApp.current, buyer)('POST', `/v1/courses/${courseId}/enrolment`);
  assert.equal(paid.statusCode, 201, paid.body);
  for (const who of [freeloader, refunded]) {
    const answer = await as(testApp.current, who)('POST', `/v1/courses/${courseId}/enrolment`);
    assert.equal(answer.statusCode, 402, answer.body);
    assert.equal(answer.json().code, 'COURSE_PAYMENT_REQUIRED');
  }
  const [row] = await testApp.current.database.sql`
    SELECT order_id FROM course_enrollments WHERE course_id = ${courseId} AND user_id = ${buyer.id}`;
  assert.ok(row?.order_id, 'the enrolment names the order that paid for it');
  const own = await as(testApp.current, creator)('POST', `/v1/courses/${courseId}/enrolment`);
  assert.equal(own.json().code, 'ENROLMENT_CLOSED');
});

test('reorders: parallel reorders leave positions 1..n without gaps; a stale list is a 409; removal closes the gap', async () => {
  const creator = await person(testApp.current);
  const me = as(testApp.current, creator);
  const courseId = await draftCourse(testApp.current, creator);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await addLesson(testApp.current, creator, courseId, textLesson(`L${i}`)));
  const orders = [
    [...ids].reverse(),
    [ids[2], ids[0], ids[1], ids[5], ids[4], ids[3]],
    [ids[1], ids[3], ids[5], ids[0], ids[2], ids[4]],
    [...ids],
  ] as string[][];
  const answers = await Promise.all(
    orders.map((lesson_ids) => me('PUT', `/v1/courses/${courseId}/lessons/order`, { lesson_ids })),
  );
  for (const answer of answers) assert.equal(answer.statusCode, 200, answer.body);
  const stored = await testApp.current.database.sql`
    SELECT id, position FROM lessons WHERE course_id = ${courseId} AND deleted_at IS NULL ORDER BY position`;
  assert.deepEqual(
    stored.map((r) => r.position),
    [1, 2, 3, 4, 5, 6],
  );
  assert.ok(
    orders.some((order) => JSON.stringify(order) === JSON.stringify(stored.map((r) => r.id))),
    'the final order is one of the orders asked, whole',
  );
  const stale = await me('PUT', `/v1/courses/${courseId}/lessons/order`, { lesson_ids: ids.slice(1) });
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().code, 'LESSON_ORDER_MISMATCH');
  assert.equal((await me('DELETE', `/v1/courses/${courseId}/lessons/${stored[2]!.id}`)).statusCode, 204);
  const [added, removed] = await Promise.all([
    me('POST', `/v1/courses/${courseId}/lessons`, textLesson('late')),
    me('DELETE', `/v1/courses/${courseId}/lessons/${stored[0]!.id}`),
  ]);
  assert.equal(added.statusCode, 201);
  assert.equal(removed.statusCode, 204);
  const after = await testApp.current.database.sql`
    SELECT position FROM lessons WHERE course_id = ${courseId} AND deleted_at IS NULL ORDER BY position`;
  assert.deepEqual(
    after.map((r) => r.position),
    [1, 2, 3, 4, 5],
  );
});
