// The education HTTP routes (issue 17 §1-5; ADRs 0081-0083). Validation by schema, rules in EducationService,
// problems from education.errors.ts.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { sendDelivery } from '../files/index.ts';
import { renderCertificatePdf } from './certificate.pdf.ts';
import {
  AttemptListSchema,
  AttemptParams,
  CatalogueQuerySchema,
  CertificateListSchema,
  CertificateParams,
  CertificateRevocationSchema,
  CourseListSchema,
  CourseParams,
  CourseProgressSchema,
  CourseSchema,
  CreateCourseSchema,
  CreateLessonSchema,
  CreateQuizSchema,
  EnrolmentListSchema,
  EnrolmentSchema,
  GradedAttemptSchema,
  LessonOrderAnswerSchema,
  LessonOrderSchema,
  LessonFileLinkSchema,
  LessonFileParams,
  LessonFileQuery,
  LessonOutlineSchema,
  LessonParams,
  LessonSchema,
  MyCoursesQuerySchema,
  ProgressAnswerSchema,
  ProgressUpdateSchema,
  QuizParams,
  QuizSchema,
  QuizSummarySchema,
  RevokeCertificateSchema,
  StartedAttemptSchema,
  StatisticsSchema,
  SubmitAttemptSchema,
  UpdateCourseSchema,
  UpdateLessonSchema,
  UpdateQuizSchema,
  VerificationParams,
  VerificationSchema,
} from './education.schemas.ts';
import type { EducationService } from './education.service.ts';

const courses = { tags: ['courses'] };
const creator = { tags: ['courses'], security: AUTHENTICATED };
const lessons = { tags: ['lessons'] };
const creatorLessons = { tags: ['lessons'], security: AUTHENTICATED };
const quizzes = { tags: ['quizzes'] };
const creatorQuizzes = { tags: ['quizzes'], security: AUTHENTICATED };
const learning = { tags: ['learning'], security: AUTHENTICATED };
const certificates = { tags: ['certificates'], security: AUTHENTICATED };
const HIDDEN = 'Someone else’s draft or private course, and any deleted course, are 404 COURSE_NOT_FOUND.';

const CoursePageSchema = Type.Object({
  ...CourseSchema.properties,
  lessons: Type.Array(LessonOutlineSchema),
  quizzes: Type.Array(QuizSummarySchema),
  enrolment: Type.Union([EnrolmentSchema, Type.Null()]),
});
const RangeHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
const LessonBytes = {
  description: 'The lesson’s file (206: the one range asked for)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified', type: 'null' };
const PdfBytes = {
  description: 'The certificate as a PDF',
  content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
};

/** Bytes, not JSON: sent through the untyped reply, as file delivery does. */
function sendPdf(reply: FastifyReply, pdf: Buffer, name: string) {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${name}.pdf"`)
    .header('cache-control', 'private, no-store')
    .send(pdf);
}

export interface EducationRoutesOptions {
  /** The site's public address, printed on certificates with the verification path. */
  publicUrl: string;
}

export function registerEducationRoutes(
  instance: FastifyInstance,
  service: EducationService,
  options: EducationRoutesOptions,
): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  // --- courses ---------------------------------------------------------------------------------------------

  app.get(
    '/courses',
    {
      schema: {
        ...courses,
        summary: 'The course catalogue: published public courses, newest first',
        querystring: CatalogueQuerySchema,
        response: { 200: CourseListSchema, ...problems(400) },
      },
    },
    async (request) => service.catalogue(request.query),
  );

  app.post(
    '/courses',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'Create a course draft; you are its creator',
        description:
          'A cover must be your own live image (422 COURSE_FILE_UNUSABLE); a paid course names your own marketplace ' +
          'product (422 COURSE_PRODUCT_UNUSABLE), whose price is the course’s (ADR 0081).',
        body: CreateCourseSchema,
        response: { 201: CourseSchema, ...problems(400, 401, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.get(
    '/me/courses',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'The courses you created, any status, newest first',
        querystring: MyCoursesQuerySchema,
        response: { 200: CourseListSchema, ...problems(400, 401) },
      },
    },
    async (request) => service.mine(requireCaller(request), request.query),
  );

  app.get(
    '/courses/:id',
    {
      schema: {
        ...courses,
        summary: 'A course page: the course, its lesson outline and quizzes, your enrolment',
        description: `Lesson content is behind /lessons/{lesson_id}. ${HIDDEN}`,
        params: CourseParams,
        response: { 200: CoursePageSchema, ...problems(400, 404) },
      },
    },
    async (request) => service.page(request.caller, request.params.id),
  );

  app.patch(
    '/courses/:id',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'Edit your course',
        description: `The creator only (403 for others who can see it). ${HIDDEN}`,
        params: CourseParams,
        body: UpdateCourseSchema,
        response: { 200: CourseSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.update(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/courses/:id',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'Delete your course',
        description: `Soft delete: enrolled learners keep it. ${HIDDEN}`,
        params: CourseParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/courses/:id/publish',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'Publish your course (draft -> published)',
        description:
          'Needs a lesson, each lesson’s content matching its type and its files cleared by the scanner and ' +
          'processed, each quiz a question (409 COURSE_NOT_PUBLISHABLE, errors say what is missing). Publishes the ' +
          'draft lessons and quizzes with it.',
        params: CourseParams,
        response: { 200: CourseSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.publish(requireCaller(request), request.params.id),
  );

  app.post(
    '/courses/:id/archive',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'Archive your course: no new enrolments, learners keep access',
        params: CourseParams,
        response: { 200: CourseSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.archive(requireCaller(request), request.params.id),
  );

  app.get(
    '/courses/:id/statistics',
    {
      onRequest: signedIn,
      schema: {
        ...creator,
        summary: 'Aggregate completion and quiz statistics of your course',
        description: 'Counts and averages only, never a learner’s identity or answers (ADR 0083).',
        params: CourseParams,
        response: { 200: StatisticsSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.statistics(requireCaller(request), request.params.id),
  );

  // --- lessons ---------------------------------------------------------------------------------------------

  app.post(
    '/courses/:id/lessons',
    {
      onRequest: signedIn,
      schema: {
        ...creatorLessons,
        summary: 'Add a lesson at the end of your course',
        description:
          'video: video_file_id, audio: audio_file_id, file: download_file_id, text: content; files are your own ' +
          'live files (422). On a published course the lesson is a draft until published.',
        params: CourseParams,
        body: CreateLessonSchema,
        response: { 201: LessonSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addLesson(requireCaller(request), request.params.id, request.body)),
  );

  app.put(
    '/courses/:id/lessons/order',
    {
      onRequest: signedIn,
      schema: {
        ...creatorLessons,
        summary: 'Put the lessons in a new order',
        description: 'Names every live lesson once (409 LESSON_ORDER_MISMATCH otherwise); positions become 1..n.',
        params: CourseParams,
        body: LessonOrderSchema,
        response: { 200: LessonOrderAnswerSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.reorderLessons(requireCaller(request), request.params.id, request.body.lesson_ids),
  );

  app.get(
    '/courses/:id/lessons/:lesson_id',
    {
      schema: {
        ...lessons,
        summary: 'A lesson with its content',
        description:
          'The creator, enrolled learners, and anyone who sees the course for a preview lesson; others 403 ' +
          `NOT_ENROLLED (401 when signed out). ${HIDDEN}`,
        params: LessonParams,
        response: { 200: LessonSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.lesson(request.caller, request.params.id, request.params.lesson_id),
  );

  app.post(
    '/courses/:id/lessons/:lesson_id/file-link',
    {
      onRequest: signedIn,
      schema: {
        ...lessons,
        security: AUTHENTICATED,
        summary: 'A short-lived signed link to the lesson’s video, audio or downloadable file',
        description:
          'For whoever may open the lesson (its creator, enrolled learners, anyone signed in for a preview); others ' +
          '403 NOT_ENROLLED. The link works without a token, for 15 minutes plus twice the lesson’s length (at most ' +
          '6 hours), while its holder may still open the lesson: a refund or a replaced file voids it. A text lesson, ' +
          `or a file not available now: 404 LESSON_FILE_NOT_FOUND. ${HIDDEN}`,
        params: LessonParams,
        response: { 201: LessonFileLinkSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await service.lessonFileLink(requireCaller(request), request.params.id, request.params.lesson_id)),
  );

  app.get(
    '/lesson-files/:course_id/:lesson_id/:file_id',
    {
      schema: {
        ...lessons,
        summary: 'A lesson’s file, through a signed link',
        description:
          'Only through a link from POST /v1/courses/{id}/lessons/{lesson_id}/file-link: a forged or expired one is ' +
          '403 LESSON_LINK_INVALID; 403 NOT_ENROLLED once its holder may no longer open the lesson; 404 when the ' +
          'lesson no longer uses the file. Video and audio play inline, a downloadable file is an attachment; ' +
          'ranges resume or seek; never kept by shared caches.',
        params: LessonFileParams,
        querystring: LessonFileQuery,
        headers: RangeHeaders,
        response: { 200: LessonBytes, 206: LessonBytes, 304: NotModified, ...problems(400, 403, 404, 416) },
      },
    },
    async (request, reply) => {
      const answer = await service.lessonFile({
        caller: request.caller,
        courseId: request.params.course_id,
        lessonId: request.params.lesson_id,
        fileId: request.params.file_id,
        holder: request.query.holder,
        expires: request.query.expires,
        signature: request.query.signature,
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer, request.params.file_id);
    },
  );

  app.patch(
    '/courses/:id/lessons/:lesson_id',
    {
      onRequest: signedIn,
      schema: {
        ...creatorLessons,
        summary: 'Edit a lesson of your course',
        params: LessonParams,
        body: UpdateLessonSchema,
        response: { 200: LessonSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) =>
      service.updateLesson(requireCaller(request), request.params.id, request.params.lesson_id, request.body),
  );

  app.post(
    '/courses/:id/lessons/:lesson_id/publish',
    {
      onRequest: signedIn,
      schema: {
        ...creatorLessons,
        summary: 'Publish a draft lesson of your published course',
        params: LessonParams,
        response: { 200: LessonSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.publishLesson(requireCaller(request), request.params.id, request.params.lesson_id),
  );

  app.delete(
    '/courses/:id/lessons/:lesson_id',
    {
      onRequest: signedIn,
      schema: {
        ...creatorLessons,
        summary: 'Remove a lesson; the following lessons move up',
        params: LessonParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.removeLesson(requireCaller(request), request.params.id, request.params.lesson_id);
      return reply.code(204).send(null);
    },
  );

  // --- enrolment and progress ------------------------------------------------------------------------------

  app.post(
    '/courses/:id/enrolment',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'Enrol in a course',
        description:
          'Free courses: anyone who sees them. Paid ones: 402 COURSE_PAYMENT_REQUIRED without a paid order of the ' +
          'course’s product. 201 when enrolled now, 200 when already enrolled; 409 ENROLMENT_CLOSED for a ' +
          `draft or archived course, or your own. ${HIDDEN}`,
        params: CourseParams,
        response: { 200: EnrolmentSchema, 201: EnrolmentSchema, ...problems(400, 401, 402, 404, 409) },
      },
    },
    async (request, reply) => {
      const { created, enrolment } = await service.enrol(requireCaller(request), request.params.id);
      return reply.code(created ? 201 : 200).send(enrolment);
    },
  );

  app.get(
    '/me/enrolments',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'The courses you are enrolled in, with your progress',
        response: { 200: EnrolmentListSchema, ...problems(401) },
      },
    },
    async (request) => service.myEnrolments(requireCaller(request)),
  );

  app.get(
    '/courses/:id/progress',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'Your progress in a course: lessons, quiz scores (best and last), certificate',
        params: CourseParams,
        response: { 200: CourseProgressSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.progress(requireCaller(request), request.params.id),
  );

  app.put(
    '/courses/:id/lessons/:lesson_id/progress',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'Record where you are in a lesson, or that you completed it',
        description: 'Completing the last lesson with every quiz passed issues the certificate.',
        params: LessonParams,
        body: ProgressUpdateSchema,
        response: { 200: ProgressAnswerSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      service.recordProgress(requireCaller(request), request.params.id, request.params.lesson_id, request.body),
  );

  // --- quizzes ---------------------------------------------------------------------------------------------

  app.post(
    '/courses/:id/quizzes',
    {
      onRequest: signedIn,
      schema: {
        ...creatorQuizzes,
        summary: 'Add a quiz to your course (or to one of its lessons)',
        description:
          'Questions: single_choice, multiple_choice, numeric (with tolerance), ordering (ADR 0082); 422 ' +
          'QUIZ_QUESTIONS_INVALID when ids repeat or an answer key names no option.',
        params: CourseParams,
        body: CreateQuizSchema,
        response: { 201: QuizSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createQuiz(requireCaller(request), request.params.id, request.body)),
  );

  app.get(
    '/courses/:id/quizzes/:quiz_id',
    {
      schema: {
        ...quizzes,
        summary: 'A quiz: title, limits, number of questions (never the questions or answers)',
        params: QuizParams,
        response: { 200: QuizSummarySchema, ...problems(400, 404) },
      },
    },
    async (request) => service.quizForLearner(request.caller, request.params.id, request.params.quiz_id),
  );

  app.get(
    '/courses/:id/quizzes/:quiz_id/questions',
    {
      onRequest: signedIn,
      schema: {
        ...creatorQuizzes,
        summary: 'The quiz with its questions and answer keys (the creator only)',
        params: QuizParams,
        response: { 200: QuizSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.quizForCreator(requireCaller(request), request.params.id, request.params.quiz_id),
  );

  app.patch(
    '/courses/:id/quizzes/:quiz_id',
    {
      onRequest: signedIn,
      schema: {
        ...creatorQuizzes,
        summary: 'Edit a quiz of your course',
        description: 'A new time limit applies to attempts started afterwards.',
        params: QuizParams,
        body: UpdateQuizSchema,
        response: { 200: QuizSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request) =>
      service.updateQuiz(requireCaller(request), request.params.id, request.params.quiz_id, request.body),
  );

  app.post(
    '/courses/:id/quizzes/:quiz_id/publish',
    {
      onRequest: signedIn,
      schema: {
        ...creatorQuizzes,
        summary: 'Publish a draft quiz of your published course',
        params: QuizParams,
        response: { 200: QuizSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.publishQuiz(requireCaller(request), request.params.id, request.params.quiz_id),
  );

  app.delete(
    '/courses/:id/quizzes/:quiz_id',
    {
      onRequest: signedIn,
      schema: {
        ...creatorQuizzes,
        summary: 'Remove a quiz of your course',
        params: QuizParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.removeQuiz(requireCaller(request), request.params.id, request.params.quiz_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/courses/:id/quizzes/:quiz_id/attempts',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'Start an attempt: the questions, without answers, and the deadline',
        description:
          '409 QUIZ_ATTEMPT_IN_PROGRESS while one runs, 409 QUIZ_ATTEMPTS_EXHAUSTED when none are left; an attempt ' +
          'left open past its deadline counts, with score 0.',
        params: QuizParams,
        response: { 201: StartedAttemptSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await service.startAttempt(requireCaller(request), request.params.id, request.params.quiz_id)),
  );

  app.get(
    '/courses/:id/quizzes/:quiz_id/attempts',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'Your attempts at a quiz, best and last score, attempts left',
        params: QuizParams,
        response: { 200: AttemptListSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.attempts(requireCaller(request), request.params.id, request.params.quiz_id),
  );

  app.post(
    '/courses/:id/quizzes/:quiz_id/attempts/:attempt_id/submission',
    {
      onRequest: signedIn,
      schema: {
        ...learning,
        summary: 'Submit your answers; graded on the server',
        description:
          '422 QUIZ_ANSWERS_INVALID for answers to questions not in this quiz or options not offered; 409 ' +
          'QUIZ_ATTEMPT_EXPIRED after the deadline, 409 QUIZ_ATTEMPT_SUBMITTED the second time. The result says ' +
          'which answers were right, never the answer key.',
        params: AttemptParams,
        body: SubmitAttemptSchema,
        response: { 200: GradedAttemptSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      service.submitAttempt(
        requireCaller(request),
        request.params.id,
        request.params.quiz_id,
        request.params.attempt_id,
        request.body,
      ),
  );

  // --- certificates ----------------------------------------------------------------------------------------

  app.get(
    '/me/certificates',
    {
      onRequest: signedIn,
      schema: {
        ...certificates,
        summary: 'Your certificates',
        response: { 200: CertificateListSchema, ...problems(401) },
      },
    },
    async (request) => service.myCertificates(requireCaller(request)),
  );

  app.get(
    '/me/certificates/:id/pdf',
    {
      onRequest: signedIn,
      schema: {
        ...certificates,
        summary: 'One of your certificates as a PDF',
        params: CertificateParams,
        response: { 200: PdfBytes, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const certificate = await service.myCertificate(requireCaller(request), request.params.id);
      const url = `${options.publicUrl.replace(/\/$/, '')}/v1/certificates/verify/${certificate.verification_code}`;
      return sendPdf(reply, await renderCertificatePdf(certificate, url), certificate.certificate_number);
    },
  );

  app.post(
    '/courses/:id/certificates/revocations',
    {
      onRequest: signedIn,
      schema: {
        ...certificates,
        summary: 'Revoke a certificate of your course, with a reason',
        description:
          'Named by its printed number or its verification code. The creator, or an admin (ADR 0090); 403 to others ' +
          'who see the course. The public verification then answers valid: false and the date, never the reason. ' +
          `Revoking again answers the first revocation. A certificate of another course: 404 CERTIFICATE_NOT_FOUND. ${HIDDEN}`,
        params: CourseParams,
        body: RevokeCertificateSchema,
        response: { 200: CertificateRevocationSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.revokeCertificate(requireCaller(request), request.params.id, request.body),
  );

  app.get(
    '/certificates/verify/:code',
    {
      config: { rateLimitPolicy: 'certificateVerification' },
      schema: {
        tags: ['certificates'],
        summary: 'Check a certificate by its verification code (public, rate-limited)',
        description: 'Course, the learner’s printed name and the date only; 404 CERTIFICATE_NOT_FOUND otherwise.',
        params: VerificationParams,
        response: { 200: VerificationSchema, ...problems(400, 404, 429) },
      },
    },
    async (request) => service.verify(request.params.code),
  );
}
