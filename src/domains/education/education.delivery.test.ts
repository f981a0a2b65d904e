// Lesson files, refunds and certificate revocation (issue 17 leftovers; ADR 0090): an enrolled learner fetches a
// lesson's video or download through a short-lived signed link naming them; strangers get no link and a link
// altered, expired or handed to someone else's name is refused; a refund of the order that paid for the course
// cancels the enrolment, voids links already handed out and revokes the certificate; the creator (or an admin)
// revokes a certificate with a reason and the public verification says so, without the reason.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { TEST_JWT_SECRET, useTestApp } from '../../../test/helpers/app.ts';
import { storedFile, testDataDir, type StoredFile } from '../files/files.test-support.ts';
import { UrlSigner } from '../files/index.ts';
import { moneyClient, newPerson, type OrderBody } from '../marketplace/checkout.test-support.ts';
import { onSale } from '../marketplace/products.test-support.ts';
import { addLesson, as, draftCourse, person, textLesson, type Person } from './education.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

interface PaidCourse {
  creator: Person;
  buyer: Person;
  admin: Person;
  courseId: string;
  video: { lessonId: string; file: StoredFile };
  download: { lessonId: string; file: StoredFile };
  textLessonId: string;
  order: OrderBody;
}

/**
 * A published course sold through its creator's product, with a video lesson, a text lesson and a downloadable
 * file lesson whose files are really stored; bought by `buyer` (checkout, staff confirm) and enrolled in.
 */
async function paidCourse(enrol = true): Promise<PaidCourse> {
  const t = testApp.current;
  const [creator, buyer, admin] = [await person(t), await person(t), await newPerson(t, 'admin')];
  const product = await onSale(t, creator, { currency: 'EUR', price: '49.00' });
  const courseId = await draftCourse(t, creator, { product_id: product.id });
  const stored = (mime: string, name: string) =>
    storedFile(t.database.sql, storage, { user_id: creator.id, mime_type: mime, original_filename: name });
  const videoFile = await stored('video/mp4', 'levels.mp4');
  const downloadFile = await stored('application/zip', 'session.zip');
  const videoLesson = await addLesson(t, creator, courseId, {
    title: 'Levels',
    lesson_type: 'video',
    video_file_id: videoFile.id,
    duration_seconds: 3600,
  });
  const textLessonId = await addLesson(t, creator, courseId, textLesson('Dynamics'));
  const downloadLesson = await addLesson(t, creator, courseId, {
    title: 'Session files',
    lesson_type: 'file',
    download_file_id: downloadFile.id,
  });
  const published = await as(t, creator)('POST', `/v1/courses/${courseId}/publish`);
  assert.equal(published.statusCode, 200, published.body);
  const asBuyer = moneyClient(t, buyer);
  assert.equal((await asBuyer.add({ product_id: product.id, license_id: product.licenseId })).statusCode, 201);
  const checkout = await asBuyer.checkout({ billing_email: 'learner@example.test' });
  assert.equal(checkout.statusCode, 201, checkout.body);
  const order = checkout.json<OrderBody>();
  const confirmed = await moneyClient(t, admin).confirm(order.id);
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  if (enrol) {
    const enrolled = await as(t, buyer)('POST', `/v1/courses/${courseId}/enrolment`);
    assert.equal(enrolled.statusCode, 201, enrolled.body);
  }
  return {
    creator,
    buyer,
    admin,
    courseId,
    video: { lessonId: videoLesson, file: videoFile },
    download: { lessonId: downloadLesson, file: downloadFile },
    textLessonId,
    order,
  };
}

type Link = { url: string; expires_at: string; file: { id: string; filename: string; mime_type: string } };

async function linkFor(who: Person | null, courseId: string, lessonId: string) {
  return as(testApp.current, who)('POST', `/v1/courses/${courseId}/lessons/${lessonId}/file-link`);
}

async function fetchLink(url: string, headers: Record<string, string> = {}) {
  return testApp.current.app.inject({ method: 'GET', url, headers });
}

async function enrolmentOf(userId: string, courseId: string) {
  const [row] = await testApp.current.database.sql<{ status: string; cancelled_at: Date | null }[]>`
    SELECT status, cancelled_at FROM course_enrollments WHERE user_id = ${userId} AND course_id = ${courseId}`;
  return row;
}

async function enrolmentCount(courseId: string) {
  const [row] = await testApp.current.database.sql<{ enrollment_count: number }[]>`
    SELECT enrollment_count FROM courses WHERE id = ${courseId}`;
  return row?.enrollment_count;
}

/** Completes every lesson as `learner` (the course has no quiz): answers the certificate id. */
async function complete(c: PaidCourse, learner: Person): Promise<string> {
  let certificate: string | null = null;
  for (const lessonId of [c.video.lessonId, c.textLessonId, c.download.lessonId]) {
    const answer = await as(testApp.current, learner)('PUT', `/v1/courses/${c.courseId}/lessons/${lessonId}/progress`, {
      completed: true,
    });
    assert.equal(answer.statusCode, 200, answer.body);
    certificate = answer.json<{ certificate_id: string | null }>().certificate_id;
  }
  assert.ok(certificate, 'the completed course issues its certificate');
  return certificate;
}

async function certificateOf(learner: Person, certificateId: string) {
  const mine = await as(testApp.current, learner)('GET', '/v1/me/certificates');
  const found = mine
    .json<{ items: { id: string; certificate_number: string; verification_code: string }[] }>()
    .items.find((c) => c.id === certificateId);
  assert.ok(found);
  return found;
}

test('an enrolled learner gets a signed link and the bytes: the video inline with ranges, the download attached', async () => {
  const c = await paidCourse();
  const answer = await linkFor(c.buyer, c.courseId, c.video.lessonId);
  assert.equal(answer.statusCode, 201, answer.body);
  const link = answer.json<Link>();
  assert.equal(link.file.id, c.video.file.id);
  assert.equal(link.file.mime_type, 'video/mp4');
  assert.match(link.url, new RegExp(`^/v1/lesson-files/${c.courseId}/${c.video.lessonId}/${c.video.file.id}\\?`));
  // An hour-long lesson: 15 minutes plus twice its length, capped at 6 hours.
  const lifetime = Date.parse(link.expires_at) - Date.now();
  assert.ok(lifetime > 2.2 * 3600_000 && lifetime <= 2.25 * 3600_000 + 5_000, `${lifetime} ms`);

  const full = await fetchLink(link.url);
  assert.equal(full.statusCode, 200, full.body);
  assert.deepEqual(full.rawPayload, c.video.file.bytes);
  assert.match(String(full.headers['content-disposition']), /^inline/);
  assert.match(String(full.headers['cache-control']), /private/);
  const part = await fetchLink(link.url, { range: 'bytes=100-199' });
  assert.equal(part.statusCode, 206);
  assert.deepEqual(part.rawPayload, c.video.file.bytes.subarray(100, 200));

  const download = (await linkFor(c.buyer, c.courseId, c.download.lessonId)).json<Link>();
  const zip = await fetchLink(download.url);
  assert.equal(zip.statusCode, 200);
  assert.deepEqual(zip.rawPayload, c.download.file.bytes);
  assert.match(String(zip.headers['content-disposition']), /^attachment/);
  assert.match(String(zip.headers['content-disposition']), /session\.zip/);

  // The creator previews their own lesson's file the same way.
  const own = await linkFor(c.creator, c.courseId, c.download.lessonId);
  assert.equal(own.statusCode, 201, own.body);
  assert.equal((await fetchLink(own.json<Link>().url)).statusCode, 200);

  // A text lesson has no file.
  const text = await linkFor(c.buyer, c.courseId, c.textLessonId);
  assert.equal(text.statusCode, 404);
  assert.equal(text.json().code, 'LESSON_FILE_NOT_FOUND');
});

test('no link for strangers (403) or the signed-out (401); a link altered, expired or re-addressed is refused', async () => {
  const c = await paidCourse();
  const stranger = await person(testApp.current);
  const refused = await linkFor(stranger, c.courseId, c.video.lessonId);
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().code, 'NOT_ENROLLED');
  assert.equal((await linkFor(null, c.courseId, c.video.lessonId)).statusCode, 401);

  const link = (await linkFor(c.buyer, c.courseId, c.download.lessonId)).json<Link>();
  const url = new URL(link.url, 'http://veza.test');
  const variant = (change: (params: URLSearchParams) => void, path = url.pathname) => {
    const params = new URLSearchParams(url.search);
    change(params);
    return `${path}?${params.toString()}`;
  };
  const cases = {
    'another holder': variant((p) => p.set('holder', stranger.id)),
    'a later expiry': variant((p) => p.set('expires', String(Number(p.get('expires')) + 60))),
    'a forged signature': variant((p) => p.set('signature', 'A'.repeat(43))),
    // The video lesson's file through the download lesson's signature.
    'another file': variant(() => undefined, url.pathname.replace(c.download.file.id, c.video.file.id)),
    'another lesson': variant(() => undefined, url.pathname.replace(c.download.lessonId, c.video.lessonId)),
  };
  for (const [what, forged] of Object.entries(cases)) {
    const answer = await fetchLink(forged);
    assert.equal(answer.statusCode, 403, `${what}: ${answer.body}`);
    assert.equal(answer.json().code, 'LESSON_LINK_INVALID', what);
  }

  // A link signed with the right key for a stranger still gives nothing: the holder must be able to open the lesson.
  const key = createHmac('sha256', TEST_JWT_SECRET).update('veza lesson file link v1').digest('base64url');
  const signed = new UrlSigner(key).sign(
    `lesson ${c.courseId}/${c.download.lessonId}/${c.download.file.id} for ${stranger.id}`,
    new Date(Date.now() + 60_000),
  );
  const forStranger = `${url.pathname}?${new URLSearchParams({ holder: stranger.id, expires: String(signed.expires), signature: signed.signature }).toString()}`;
  const notEnrolled = await fetchLink(forStranger);
  assert.equal(notEnrolled.statusCode, 403, notEnrolled.body);
  assert.equal(notEnrolled.json().code, 'NOT_ENROLLED');
  // Past its expiry, the genuine link itself is refused.
  const expired = new UrlSigner(key).sign(
    `lesson ${c.courseId}/${c.download.lessonId}/${c.download.file.id} for ${c.buyer.id}`,
    new Date(Date.now() - 1_000),
  );
  const stale = await fetchLink(
    `${url.pathname}?${new URLSearchParams({ holder: c.buyer.id, expires: String(expired.expires), signature: expired.signature }).toString()}`,
  );
  assert.equal(stale.statusCode, 403);
  assert.equal(stale.json().code, 'LESSON_LINK_INVALID');

  // Replacing the lesson's file voids the links to the old one.
  const replacement = await storedFile(testApp.current.database.sql, storage, {
    user_id: c.creator.id,
    mime_type: 'application/zip',
  });
  const patched = await as(testApp.current, c.creator)(
    'PATCH',
    `/v1/courses/${c.courseId}/lessons/${c.download.lessonId}`,
    { download_file_id: replacement.id },
  );
  assert.equal(patched.statusCode, 200, patched.body);
  const old = await fetchLink(link.url);
  assert.equal(old.statusCode, 404);
  assert.equal(old.json().code, 'LESSON_FILE_NOT_FOUND');
});

test('a refund cancels the enrolment it paid for, voids links handed out and revokes the certificate', async () => {
  const c = await paidCourse();
  const other = await person(testApp.current);
  const link = (await linkFor(c.buyer, c.courseId, c.video.lessonId)).json<Link>();
  const certificateId = await complete(c, c.buyer);
  const certificate = await certificateOf(c.buyer, certificateId);
  assert.equal(await enrolmentCount(c.courseId), 1);

  // Someone else's enrolment in a free course is none of the refund's business.
  const free = await draftCourse(testApp.current, c.creator, { title: 'Free warm-up' });
  await addLesson(testApp.current, c.creator, free, textLesson('Warm-up'));
  assert.equal((await as(testApp.current, c.creator)('POST', `/v1/courses/${free}/publish`)).statusCode, 200);
  assert.equal((await as(testApp.current, other)('POST', `/v1/courses/${free}/enrolment`)).statusCode, 201);
  assert.equal((await as(testApp.current, c.buyer)('POST', `/v1/courses/${free}/enrolment`)).statusCode, 201);

  const refunded = await moneyClient(testApp.current, c.admin).refund(c.order.id);
  assert.equal(refunded.statusCode, 200, refunded.body);
  assert.equal(refunded.json().status, 'refunded');

  const enrolment = await enrolmentOf(c.buyer.id, c.courseId);
  assert.equal(enrolment?.status, 'cancelled');
  assert.ok(enrolment?.cancelled_at);
  assert.equal(await enrolmentCount(c.courseId), 0);
  assert.equal((await enrolmentOf(c.buyer.id, free))?.status, 'active', 'the free course is untouched');
  assert.equal((await enrolmentOf(other.id, free))?.status, 'active');

  const voided = await fetchLink(link.url);
  assert.equal(voided.statusCode, 403);
  assert.equal(voided.json().code, 'NOT_ENROLLED');
  assert.equal((await linkFor(c.buyer, c.courseId, c.video.lessonId)).statusCode, 403);
  const progress = await as(testApp.current, c.buyer)('GET', `/v1/courses/${c.courseId}/progress`);
  assert.equal(progress.statusCode, 403);

  const verified = await as(testApp.current, null)('GET', `/v1/certificates/verify/${certificate.verification_code}`);
  assert.equal(verified.statusCode, 200);
  assert.equal(verified.json().valid, false);
  assert.match(verified.json().revoked_on, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(JSON.stringify(verified.json()).includes('refunded'), false, 'the reason is not public');

  // Enrolling again needs a paid order again; refunding twice changes nothing.
  const again = await as(testApp.current, c.buyer)('POST', `/v1/courses/${c.courseId}/enrolment`);
  assert.equal(again.statusCode, 402);
  assert.equal((await moneyClient(testApp.current, c.admin).refund(c.order.id)).statusCode, 200);
  assert.equal(await enrolmentCount(c.courseId), 0);
});

test('the creator revokes a certificate with a reason; verification says revoked; strangers cannot', async () => {
  const c = await paidCourse();
  const certificate = await certificateOf(c.buyer, await complete(c, c.buyer));
  const stranger = await person(testApp.current);
  const revoke = (who: Person, body: Record<string, unknown>, courseId = c.courseId) =>
    as(testApp.current, who)('POST', `/v1/courses/${courseId}/certificates/revocations`, body);

  const byStranger = await revoke(stranger, { certificate_number: certificate.certificate_number, reason: 'Mine now' });
  assert.equal(byStranger.statusCode, 403);
  const byLearner = await revoke(c.buyer, { verification_code: certificate.verification_code, reason: 'Oops' });
  assert.equal(byLearner.statusCode, 403);
  // Another creator's course does not reach this certificate.
  const elsewhere = await draftCourse(testApp.current, stranger);
  const wrongCourse = await revoke(
    stranger,
    { certificate_number: certificate.certificate_number, reason: 'x' },
    elsewhere,
  );
  assert.equal(wrongCourse.statusCode, 404);
  assert.equal(wrongCourse.json().code, 'CERTIFICATE_NOT_FOUND');
  // Bad bodies: both identifiers, an empty reason, a reason too long.
  for (const body of [
    {
      certificate_number: certificate.certificate_number,
      verification_code: certificate.verification_code,
      reason: 'x',
    },
    { certificate_number: certificate.certificate_number, reason: '' },
    { certificate_number: certificate.certificate_number, reason: 'x'.repeat(256) },
    { reason: 'no certificate named' },
  ])
    assert.equal((await revoke(c.creator, body)).statusCode, 400, JSON.stringify(body).slice(0, 80));
  const before = await as(testApp.current, null)('GET', `/v1/certificates/verify/${certificate.verification_code}`);
  assert.deepEqual(
    { valid: before.json().valid, revoked_on: before.json().revoked_on },
    { valid: true, revoked_on: null },
  );

  const revoked = await revoke(c.creator, {
    certificate_number: certificate.certificate_number,
    reason: 'Quiz answers copied from another learner',
  });
  assert.equal(revoked.statusCode, 200, revoked.body);
  assert.equal(revoked.json().revocation_reason, 'Quiz answers copied from another learner');
  assert.equal(revoked.json().course_id, c.courseId);
  assert.equal('recipient_name' in revoked.json(), false);

  const after = await as(testApp.current, null)('GET', `/v1/certificates/verify/${certificate.verification_code}`);
  assert.equal(after.statusCode, 200);
  assert.deepEqual(Object.keys(after.json()).sort(), [
    'course_title',
    'issued_on',
    'recipient_name',
    'revoked_on',
    'valid',
  ]);
  assert.equal(after.json().valid, false);
  assert.equal(after.json().revoked_on, revoked.json().revoked_at.slice(0, 10));

  // Again, by code this time, and by an admin: the first revocation stands unchanged.
  const twice = await revoke(c.admin, { verification_code: certificate.verification_code, reason: 'Another reason' });
  assert.equal(twice.statusCode, 200, twice.body);
  assert.deepEqual(twice.json(), revoked.json());
  const [row] = await testApp.current.database.sql`
    SELECT revoked_at, revocation_reason FROM certificates WHERE verification_code = ${certificate.verification_code}`;
  assert.equal(row?.revocation_reason, 'Quiz answers copied from another learner');
});

test('an admin revokes a certificate of a course that is not theirs', async () => {
  const c = await paidCourse();
  const certificate = await certificateOf(c.buyer, await complete(c, c.buyer));
  const answer = await as(testApp.current, c.admin)('POST', `/v1/courses/${c.courseId}/certificates/revocations`, {
    verification_code: certificate.verification_code,
    reason: 'Issued against a fraudulent payment',
  });
  assert.equal(answer.statusCode, 200, answer.body);
  const verified = await as(testApp.current, null)('GET', `/v1/certificates/verify/${certificate.verification_code}`);
  assert.equal(verified.json().valid, false);
});

test('an enrolment racing the refund of its order never outlives it, and neither waits on the other forever', async () => {
  for (let round = 0; round < 6; round++) {
    const c = await paidCourse(false);
    const [enrolled, refunded] = await Promise.all([
      as(testApp.current, c.buyer)('POST', `/v1/courses/${c.courseId}/enrolment`),
      moneyClient(testApp.current, c.admin).refund(c.order.id),
    ]);
    assert.equal(refunded.statusCode, 200, refunded.body);
    // Either the enrolment came first and the refund cancelled it, or it came second and found no paid order.
    assert.ok([201, 402].includes(enrolled.statusCode), enrolled.body);
    const enrolment = await enrolmentOf(c.buyer.id, c.courseId);
    if (enrolled.statusCode === 201) assert.equal(enrolment?.status, 'cancelled', `round ${round}`);
    else assert.equal(enrolment, undefined, `round ${round}`);
    assert.equal(await enrolmentCount(c.courseId), 0, `round ${round}`);
  }
});
