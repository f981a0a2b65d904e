// The education rules (issue 17 §1-5; ADRs 0081-0083): building a course, its ordered lessons and quizzes,
// publishing, enrolment (free or through a paid order of the course's product), lesson progress, timed quiz attempts
// graded on the server, certificates issued when the course is complete, and aggregate statistics for the creator.
//
// Time comes from the injected clock only (`deps.clock`): attempt deadlines, submissions, completion and issue
// dates, so tests move time without waiting and without depending on today's date.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, type ProblemField, type ProblemType } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Caller } from '../../platform/policy/policy.ts';
import type { BridgedFile, DeliveryAnswer, FilesBridge, UrlSigner } from '../files/index.ts';
import type { CourseAccess } from '../marketplace/index.ts';
import type { PublicName } from '../profiles/index.ts';
import { EducationProblems } from './education.errors.ts';
import {
  isLearner,
  mayEnrol,
  mayManage,
  mayOpenLesson,
  mayRevokeCertificates,
  mayStudy,
  mayView,
} from './education.policy.ts';
import type {
  AttemptRow,
  CertificateRow,
  CourseRow,
  CourseValues,
  EducationRepository,
  EnrolmentRow,
  LessonRow,
  LessonValues,
  ProgressRow,
  QuizRow,
  QuizValues,
} from './education.repository.ts';
import type {
  CatalogueQuery,
  CreateCourse,
  CreateLesson,
  CreateQuiz,
  LessonType,
  ProgressUpdate,
  RevokeCertificate,
  SubmitAttempt,
  UpdateCourse,
  UpdateLesson,
  UpdateQuiz,
} from './education.schemas.ts';
import { answerProblems, grade, learnerQuestion, questionProblems, type Question } from './quiz.questions.ts';

export interface EducationServiceDeps {
  repository: EducationRepository;
  files: Pick<FilesBridge, 'findFile' | 'deliver'>;
  /** The signer of lesson file links: a key of education's own (ADR 0090). */
  lessonLinks: () => Promise<UrlSigner>;
  marketplace: CourseAccess;
  /** Public names of accounts (profiles): the name printed on a certificate. */
  publicNames: (ids: string[]) => Promise<Map<string, PublicName>>;
  clock?: () => Date;
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

function fieldError(type: ProblemType, detail: string, field: string, rule: string, message = detail): ApiError {
  return new ApiError(type, detail, [{ field, rule, message }]);
}

const slugOf = (title: string) =>
  `${
    title
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'course'
  }-${randomBytes(4).toString('hex')}`;

/** Which file field a lesson type needs, and the media type family the file must have. */
const LESSON_FILE: Record<LessonType, { field: keyof LessonValues; family: string | null } | null> = {
  video: { field: 'video_file_id', family: 'video/' },
  audio: { field: 'audio_file_id', family: 'audio/' },
  file: { field: 'download_file_id', family: null },
  text: null,
};
const FILE_FIELDS = ['video_file_id', 'audio_file_id', 'download_file_id'] as const;

/** The file a lesson of type video, audio or file carries (a text lesson has none). */
const lessonFileOf = (lesson: LessonRow): string | null => {
  const wanted = LESSON_FILE[lesson.lesson_type as LessonType];
  return wanted ? ((lesson[wanted.field] as string | null) ?? null) : null;
};

// A lesson file link lives long enough to watch the lesson through once with pauses: a player re-requests ranges
// with the same link while seeking, and cannot swap it mid-play (ADR 0090).
const LINK_MIN_SECONDS = 15 * 60;
const LINK_MAX_SECONDS = 6 * 3600;
const linkSubject = (courseId: string, lessonId: string, fileId: string, holderId: string) =>
  `lesson ${courseId}/${lessonId}/${fileId} for ${holderId}`;
const lessonFilePath = (courseId: string, lessonId: string, fileId: string) =>
  `/v1/lesson-files/${courseId}/${lessonId}/${fileId}`;

type RangeHeaders = { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };

const percentage = (done: number, total: number) => (total === 0 ? 0 : Math.floor((100 * done) / total));

export class EducationService {
  readonly #deps: EducationServiceDeps;
  readonly #now: () => Date;

  constructor(deps: EducationServiceDeps) {
    this.#deps = deps;
    this.#now = deps.clock ?? (() => new Date());
  }

  get #repo() {
    return this.#deps.repository;
  }

  // --- views -----------------------------------------------------------------------------------------------

  courseView(row: CourseRow) {
    return {
      id: row.id,
      creator_id: row.creator_id,
      slug: row.slug,
      title: row.title,
      summary: row.summary,
      description: row.description,
      language: row.language,
      level: row.level as 'beginner',
      tags: row.tags ?? [],
      visibility: row.visibility,
      cover_file_id: row.cover_image_file_id,
      product_id: row.product_id,
      free: row.product_id === null,
      status: row.status as 'draft',
      lesson_count: row.lesson_count,
      total_duration_seconds: row.total_duration_seconds,
      enrollment_count: row.enrollment_count,
      published_at: isoOrNull(row.published_at),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  lessonOutline(row: LessonRow) {
    return {
      id: row.id,
      position: row.position,
      section_title: row.section_title,
      title: row.title,
      summary: row.summary,
      lesson_type: row.lesson_type as LessonType,
      duration_seconds: row.duration_seconds,
      is_preview: row.is_preview,
      status: row.status as 'draft',
    };
  }

  lessonView(row: LessonRow) {
    return {
      ...this.lessonOutline(row),
      content: row.content,
      video_file_id: row.video_file_id,
      audio_file_id: row.audio_file_id,
      download_file_id: row.download_file_id,
      published_at: isoOrNull(row.published_at),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  quizSummary(row: QuizRow, courseId: string) {
    return {
      id: row.id,
      course_id: courseId,
      lesson_id: row.lesson_id,
      title: row.title,
      description: row.description,
      question_count: (row.questions as unknown[]).length,
      passing_score_percentage: row.passing_score_percentage,
      max_attempts: row.max_attempts,
      time_limit_seconds: row.time_limit_seconds,
      status: row.status as 'draft',
    };
  }

  quizView(row: QuizRow, courseId: string) {
    return {
      ...this.quizSummary(row, courseId),
      questions: row.questions as Question[],
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  attemptView(row: AttemptRow) {
    return {
      id: row.id,
      quiz_id: row.quiz_id,
      attempt_number: row.attempt_number,
      started_at: iso(row.started_at),
      deadline_at: isoOrNull(row.deadline_at),
      submitted_at: isoOrNull(row.submitted_at),
      score_percentage: row.score_percentage,
      passed: row.passed,
    };
  }

  certificateView(row: CertificateRow) {
    return {
      id: row.id,
      course_id: row.course_id,
      certificate_number: row.certificate_number,
      verification_code: row.verification_code,
      recipient_name: row.recipient_name,
      course_title: row.course_title,
      issued_at: iso(row.issued_at),
      revoked_at: isoOrNull(row.revoked_at),
    };
  }

  // --- access ----------------------------------------------------------------------------------------------

  async #context(caller: Caller | null, courseId: string) {
    const course = await this.#repo.findCourse(courseId);
    const enrolment = caller && course ? await this.#repo.enrolment(caller.userId, course.id) : undefined;
    return { course, enrolment };
  }

  async #visible(caller: Caller | null, courseId: string) {
    const { course, enrolment } = await this.#context(caller, courseId);
    authorize(mayView(caller, course, enrolment), EducationProblems.courseNotFound);
    return { course: course as CourseRow, enrolment };
  }

  async #managed(caller: Caller, courseId: string): Promise<CourseRow> {
    const { course, enrolment } = await this.#context(caller, courseId);
    authorize(mayManage(caller, course, enrolment), EducationProblems.courseNotFound);
    return course as CourseRow;
  }

  /** Runs `work` with the course locked, after the manage rule passed on the locked row. */
  async #lockedManaged<T>(
    caller: Caller,
    courseId: string,
    work: (tx: Transaction<DB>, course: CourseRow) => Promise<T>,
  ): Promise<T> {
    await this.#managed(caller, courseId);
    return this.#repo.transaction(async (tx) => {
      const course = await this.#repo.lockCourse(tx, courseId);
      authorize(mayManage(caller, course), EducationProblems.courseNotFound);
      return work(tx, course as CourseRow);
    });
  }

  async #studying(caller: Caller, courseId: string) {
    const { course, enrolment } = await this.#context(caller, courseId);
    const decision = mayStudy(caller, course, enrolment);
    if (!decision.allowed && decision.denial === 'forbidden') throw new ApiError(EducationProblems.notEnrolled);
    authorize(decision, EducationProblems.courseNotFound);
    return { course: course as CourseRow, enrolment: enrolment as EnrolmentRow };
  }

  // --- courses ---------------------------------------------------------------------------------------------

  async #checkCourseRefs(creatorId: string, values: CourseValues): Promise<void> {
    if (values.cover_image_file_id) {
      const file = await this.#deps.files.findFile(values.cover_image_file_id);
      const problem = this.#fileProblem(file, creatorId, 'image/', false);
      if (problem)
        throw fieldError(EducationProblems.fileUnusable, `The cover ${problem[1]}`, 'body.cover_file_id', problem[0]);
    }
    if (values.product_id) {
      const product = await this.#deps.marketplace.product(values.product_id);
      if (!product || product.seller_id !== creatorId)
        throw fieldError(
          EducationProblems.productUnusable,
          'The product is not a live product of yours',
          'body.product_id',
          'owner',
        );
    }
  }

  #courseValues(body: UpdateCourse): CourseValues {
    const { cover_file_id, ...rest } = body;
    return { ...rest, ...(cover_file_id !== undefined ? { cover_image_file_id: cover_file_id } : {}) };
  }

  async create(caller: Caller, body: CreateCourse) {
    const { slug, ...rest } = body;
    const values = { ...this.#courseValues(rest), title: body.title, slug: slug ?? slugOf(body.title) };
    await this.#checkCourseRefs(caller.userId, values);
    const row = await this.#repo.insertCourse(caller.userId, values);
    if (!row)
      throw fieldError(EducationProblems.courseSlugTaken, 'Another course has this slug', 'body.slug', 'unique');
    return this.courseView(row);
  }

  async catalogue(query: CatalogueQuery) {
    const rows = await this.#repo.catalogue(
      { level: query.level, creatorId: query.creator_id },
      query.limit,
      query.cursor ? decodeCursor(query.cursor) : undefined,
    );
    const page = toPage(rows, query.limit);
    return { ...page, items: page.items.map((row) => this.courseView(row as CourseRow)) };
  }

  async mine(caller: Caller, query: { limit: number; cursor?: string }) {
    const rows = await this.#repo.coursesOf(
      caller.userId,
      query.limit,
      query.cursor ? decodeCursor(query.cursor) : undefined,
    );
    const page = toPage(rows, query.limit);
    return { ...page, items: page.items.map((row) => this.courseView(row as CourseRow)) };
  }

  /** The course page: the course, its outline (drafts for the creator only), its quizzes, the caller's enrolment. */
  async page(caller: Caller | null, courseId: string) {
    const { course, enrolment } = await this.#visible(caller, courseId);
    const creator = mayManage(caller, course, enrolment).allowed;
    const [lessons, quizzes] = await Promise.all([this.#repo.lessonsOf(course.id), this.#repo.quizzesOf(course.id)]);
    const liveLessons = lessons.filter((l) => creator || l.status === 'published');
    return {
      ...this.courseView(course),
      lessons: liveLessons.map((l) => this.lessonOutline(l)),
      quizzes: quizzes.filter((q) => creator || q.status === 'published').map((q) => this.quizSummary(q, course.id)),
      enrolment: enrolment ? await this.#enrolmentView(enrolment) : null,
    };
  }

  async update(caller: Caller, courseId: string, body: UpdateCourse) {
    const values = this.#courseValues(body);
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      await this.#checkCourseRefs(caller.userId, values);
      if (course.status !== 'draft' && values.product_id !== undefined && values.product_id !== course.product_id)
        throw fieldError(
          EducationProblems.statusConflict,
          'A published course keeps the product its learners bought',
          'body.product_id',
          'draftOnly',
        );
      const row = await this.#repo.updateCourse(tx, course.id, values);
      if (!row) throw new ApiError(EducationProblems.courseSlugTaken);
      return this.courseView(row);
    });
  }

  async remove(caller: Caller, courseId: string): Promise<void> {
    await this.#lockedManaged(caller, courseId, (tx, course) =>
      this.#repo.softDeleteCourse(tx, course.id, this.#now()),
    );
  }

  /** draft -> published: needs a lesson, every lesson's content consistent and its files cleared and processed. */
  async publish(caller: Caller, courseId: string) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      if (course.status === 'published') return this.courseView(course);
      const lessons = await this.#repo.lessonsOf(course.id, tx);
      const problems: ProblemField[] = [];
      if (lessons.length === 0)
        problems.push({ field: 'lessons', rule: 'minItems', message: 'a course needs at least one lesson' });
      for (const lesson of lessons)
        problems.push(...(await this.#lessonProblems(course.creator_id, lesson, true, `lessons/${lesson.id}`)));
      const quizzes = await this.#repo.quizzesOf(course.id, tx);
      for (const quiz of quizzes)
        if ((quiz.questions as unknown[]).length === 0)
          problems.push({ field: `quizzes/${quiz.id}`, rule: 'minItems', message: 'a quiz needs a question' });
      if (problems.length > 0) throw new ApiError(EducationProblems.notPublishable, problems[0]!.message, problems);
      const now = this.#now();
      await this.#repo.publishLessons(tx, course.id, now);
      await this.#repo.publishQuizzes(
        tx,
        quizzes.map((q) => q.id),
      );
      await this.#repo.setCourseStatus(tx, course.id, 'published', now);
      await this.#repo.refreshCourseCounters(tx, course.id);
      return this.courseView((await this.#repo.findCourse(course.id, tx)) as CourseRow);
    });
  }

  /** published -> archived: closed to new enrolments; learners keep their access. */
  async archive(caller: Caller, courseId: string) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      if (course.status !== 'published')
        throw new ApiError(EducationProblems.statusConflict, 'Only a published course is archived');
      await this.#repo.setCourseStatus(tx, course.id, 'archived', this.#now());
      return this.courseView((await this.#repo.findCourse(course.id, tx)) as CourseRow);
    });
  }

  // --- lessons ---------------------------------------------------------------------------------------------

  #fileProblem(file: BridgedFile | undefined, ownerId: string, family: string | null, ready: boolean) {
    if (!file || file.deleted || file.user_id !== ownerId) return ['owner', 'is not a live file of yours'] as const;
    if (family && !file.mime_type.startsWith(family)) return ['mediaType', `is not ${family}*`] as const;
    if (ready && !file.cleared) return ['clean', 'has not been cleared by the virus scanner'] as const;
    if (ready && file.processing !== 'processed') return ['processed', 'is not processed yet'] as const;
    return undefined;
  }

  /**
   * What is wrong with a lesson: its type's file missing, a file of another type set, a file that is not the
   * creator's live file of the right family; with `ready` (publishing), files not yet cleared or processed.
   */
  async #lessonProblems(creatorId: string, lesson: LessonValues, ready: boolean, at = ''): Promise<ProblemField[]> {
    const problems: ProblemField[] = [];
    const type = lesson.lesson_type as LessonType;
    const wanted = LESSON_FILE[type];
    const prefix = at || 'body';
    for (const field of FILE_FIELDS) {
      const id = lesson[field];
      if (wanted?.field !== field) {
        if (id)
          problems.push({
            field: `${prefix}.${field}`,
            rule: 'lessonType',
            message: `is not used by a ${type} lesson`,
          });
        continue;
      }
      if (!id) {
        problems.push({ field: `${prefix}.${field}`, rule: 'required', message: `a ${type} lesson needs this file` });
        continue;
      }
      const problem = this.#fileProblem(await this.#deps.files.findFile(id), creatorId, wanted.family, ready);
      if (problem)
        problems.push({ field: `${prefix}.${field}`, rule: problem[0], message: `file ${id} ${problem[1]}` });
    }
    if (type === 'text' && !lesson.content?.trim())
      problems.push({ field: `${prefix}.content`, rule: 'required', message: 'a text lesson needs content' });
    return problems;
  }

  async #checkLesson(creatorId: string, lesson: LessonValues, ready: boolean): Promise<void> {
    const problems = await this.#lessonProblems(creatorId, lesson, ready);
    if (problems.length === 0) return;
    const ownership = problems.some((p) => ['owner', 'mediaType', 'clean', 'processed'].includes(p.rule));
    throw new ApiError(
      ownership ? EducationProblems.fileUnusable : EducationProblems.lessonContentInvalid,
      problems[0]!.message,
      problems,
    );
  }

  async addLesson(caller: Caller, courseId: string, body: CreateLesson) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      // On a published course too, a new lesson is a draft until published on its own (publishLesson).
      await this.#checkLesson(course.creator_id, body, false);
      return this.lessonView(await this.#repo.appendLesson(tx, course.id, body, null));
    });
  }

  /** A lesson whose content the caller may open: the one rule for its page, its file links and their bytes. */
  async #openLesson(caller: Caller | null, courseId: string, lessonId: string) {
    const { course, enrolment } = await this.#visible(caller, courseId);
    const lesson = await this.#repo.findLesson(course.id, lessonId);
    if (!lesson) throw new ApiError(EducationProblems.lessonNotFound);
    const decision = mayOpenLesson(caller, course, enrolment, lesson);
    if (!decision.allowed && decision.denial === 'forbidden') throw new ApiError(EducationProblems.notEnrolled);
    authorize(decision, EducationProblems.lessonNotFound);
    return { course, lesson };
  }

  async lesson(caller: Caller | null, courseId: string, lessonId: string) {
    return this.lessonView((await this.#openLesson(caller, courseId, lessonId)).lesson);
  }

  /**
   * A signed link to the lesson's file for whoever may open the lesson (ADR 0090): it names its holder, so that
   * the bytes are refused once the holder may no longer open the lesson (a refund, a removed lesson, a replaced
   * file), whoever presents it.
   */
  async lessonFileLink(caller: Caller, courseId: string, lessonId: string) {
    const { course, lesson } = await this.#openLesson(caller, courseId, lessonId);
    const fileId = lessonFileOf(lesson);
    if (!fileId) throw new ApiError(EducationProblems.lessonFileNotFound, 'A text lesson has no file');
    const file = await this.#deps.files.findFile(fileId);
    if (!file || file.deleted || !file.cleared)
      throw new ApiError(EducationProblems.lessonFileNotFound, 'The lesson’s file is not available now');
    const seconds = Math.min(LINK_MAX_SECONDS, LINK_MIN_SECONDS + 2 * (lesson.duration_seconds ?? 0));
    const link = (await this.#deps.lessonLinks()).sign(
      linkSubject(course.id, lesson.id, fileId, caller.userId),
      new Date(this.#now().getTime() + seconds * 1000),
    );
    const query = new URLSearchParams({
      holder: caller.userId,
      expires: String(link.expires),
      signature: link.signature,
    });
    return {
      url: `${lessonFilePath(course.id, lesson.id, fileId)}?${query.toString()}`,
      expires_at: new Date(link.expires * 1000).toISOString(),
      file: { id: file.id, filename: file.original_filename, mime_type: file.mime_type, size: file.size },
    };
  }

  /**
   * The bytes behind a lesson file link: the signature first, then the holder's standing now (the lesson rule as
   * for its page), then the file still being the lesson's. Media play inline, a downloadable file is an attachment.
   */
  async lessonFile(request: {
    caller: Caller | null;
    courseId: string;
    lessonId: string;
    fileId: string;
    holder: string;
    expires: number;
    signature: string;
    headers: RangeHeaders;
    headOnly: boolean;
  }): Promise<DeliveryAnswer> {
    const subject = linkSubject(request.courseId, request.lessonId, request.fileId, request.holder);
    const signer = await this.#deps.lessonLinks();
    if (!signer.verify(subject, { expires: request.expires, signature: request.signature }, this.#now()))
      throw new ApiError(EducationProblems.lessonLinkInvalid);
    // The lesson rule looks at the account and its enrolment only, never at the role.
    const holder: Caller = { userId: request.holder, role: 'user' };
    const { lesson } = await this.#openLesson(holder, request.courseId, request.lessonId);
    if (lessonFileOf(lesson) !== request.fileId) throw new ApiError(EducationProblems.lessonFileNotFound);
    const file = await this.#deps.files.findFile(request.fileId);
    if (!file || file.deleted) throw new ApiError(EducationProblems.lessonFileNotFound);
    return this.#deps.files.deliver({
      caller: request.caller,
      fileId: file.id,
      // The link is the holder's admission, whoever presents it: open, never kept by shared caches.
      grant: {
        rule: 'lesson',
        open: true,
        shareable: false,
        disposition: {
          kind: lesson.lesson_type === 'file' ? 'attachment' : 'inline',
          filename: file.original_filename,
        },
      },
      headers: request.headers,
      headOnly: request.headOnly,
    });
  }

  async updateLesson(caller: Caller, courseId: string, lessonId: string, body: UpdateLesson) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      const lesson = await this.#repo.findLesson(course.id, lessonId, tx);
      if (!lesson) throw new ApiError(EducationProblems.lessonNotFound);
      const merged: LessonValues = { ...lesson, ...body };
      await this.#checkLesson(course.creator_id, merged, lesson.status === 'published');
      const row = await this.#repo.updateLesson(tx, lesson.id, body);
      await this.#repo.refreshCourseCounters(tx, course.id);
      return this.lessonView(row);
    });
  }

  /** A draft lesson of a published course goes live (files cleared and processed first). */
  async publishLesson(caller: Caller, courseId: string, lessonId: string) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      const lesson = await this.#repo.findLesson(course.id, lessonId, tx);
      if (!lesson) throw new ApiError(EducationProblems.lessonNotFound);
      if (course.status === 'draft')
        throw new ApiError(EducationProblems.statusConflict, 'Lessons of a draft course go live with the course');
      await this.#checkLesson(course.creator_id, lesson, true);
      await this.#repo.publishLessons(tx, course.id, this.#now(), lesson.id);
      await this.#repo.refreshCourseCounters(tx, course.id);
      return this.lessonView((await this.#repo.findLesson(course.id, lesson.id, tx)) as LessonRow);
    });
  }

  /** Removes a lesson; the lessons after it close the gap (positions stay 1..n). */
  async removeLesson(caller: Caller, courseId: string, lessonId: string): Promise<void> {
    await this.#lockedManaged(caller, courseId, async (tx, course) => {
      const lesson = await this.#repo.findLesson(course.id, lessonId, tx);
      if (!lesson) throw new ApiError(EducationProblems.lessonNotFound);
      await this.#repo.softDeleteLesson(tx, lesson.id, this.#now());
      const rest = await this.#repo.lessonsOf(course.id, tx);
      await this.#repo.renumber(
        tx,
        course.id,
        rest.map((l) => l.id),
      );
      await this.#repo.refreshCourseCounters(tx, course.id);
    });
  }

  /** Puts every live lesson in a new order; the list must name each exactly once (409 if the course changed). */
  async reorderLessons(caller: Caller, courseId: string, lessonIds: readonly string[]) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      const current = await this.#repo.lessonsOf(course.id, tx);
      const wanted = new Set(lessonIds);
      if (wanted.size !== lessonIds.length || current.length !== wanted.size || current.some((l) => !wanted.has(l.id)))
        throw fieldError(
          EducationProblems.lessonOrderMismatch,
          `The course has ${current.length} lessons; list each of them once (read the course again)`,
          'body.lesson_ids',
          'sameLessons',
          'does not name every lesson of the course exactly once',
        );
      await this.#repo.renumber(tx, course.id, lessonIds);
      return { lessons: (await this.#repo.lessonsOf(course.id, tx)).map((l) => this.lessonOutline(l)) };
    });
  }

  // --- quizzes (authoring) ---------------------------------------------------------------------------------

  #checkQuestions(questions: Question[] | undefined): void {
    if (questions === undefined) return;
    const problems = questionProblems(questions);
    if (problems.length > 0) throw new ApiError(EducationProblems.questionsInvalid, problems[0]!.message, problems);
  }

  async #quizParent(tx: Transaction<DB>, course: CourseRow, lessonId: string | null | undefined) {
    if (!lessonId) return { course_id: course.id, lesson_id: null };
    const lesson = await this.#repo.findLesson(course.id, lessonId, tx);
    if (!lesson)
      throw fieldError(EducationProblems.lessonNotFound, 'No such lesson in this course', 'body.lesson_id', 'exists');
    return { course_id: null, lesson_id: lesson.id };
  }

  async createQuiz(caller: Caller, courseId: string, body: CreateQuiz) {
    this.#checkQuestions(body.questions);
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      const parent = await this.#quizParent(tx, course, body.lesson_id);
      const { questions, lesson_id: _lesson, ...rest } = body;
      const row = await this.#repo.insertQuiz(tx, { ...rest, ...parent, questions: JSON.stringify(questions) }, false);
      return this.quizView(row, course.id);
    });
  }

  async #quizOf(courseId: string, quizId: string, tx?: Transaction<DB>): Promise<QuizRow> {
    const quiz = await this.#repo.findQuiz(courseId, quizId, tx);
    if (!quiz) throw new ApiError(EducationProblems.quizNotFound);
    return quiz;
  }

  /** The quiz with its answer key: the creator only. */
  async quizForCreator(caller: Caller, courseId: string, quizId: string) {
    const course = await this.#managed(caller, courseId);
    return this.quizView(await this.#quizOf(course.id, quizId), course.id);
  }

  async updateQuiz(caller: Caller, courseId: string, quizId: string, body: UpdateQuiz) {
    this.#checkQuestions(body.questions);
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      const quiz = await this.#quizOf(course.id, quizId, tx);
      const values: QuizValues = {};
      const { questions, lesson_id, ...rest } = body;
      Object.assign(values, rest);
      if (lesson_id !== undefined) Object.assign(values, await this.#quizParent(tx, course, lesson_id));
      if (questions !== undefined) values.questions = JSON.stringify(questions);
      return this.quizView(await this.#repo.updateQuiz(tx, quiz.id, values), course.id);
    });
  }

  async publishQuiz(caller: Caller, courseId: string, quizId: string) {
    return this.#lockedManaged(caller, courseId, async (tx, course) => {
      const quiz = await this.#quizOf(course.id, quizId, tx);
      if ((quiz.questions as unknown[]).length === 0)
        throw fieldError(EducationProblems.notPublishable, 'A quiz needs a question', 'questions', 'minItems');
      if (course.status === 'draft')
        throw new ApiError(EducationProblems.statusConflict, 'Quizzes of a draft course go live with the course');
      await this.#repo.publishQuizzes(tx, [quiz.id]);
      return this.quizView(await this.#quizOf(course.id, quiz.id, tx), course.id);
    });
  }

  async removeQuiz(caller: Caller, courseId: string, quizId: string): Promise<void> {
    await this.#lockedManaged(caller, courseId, async (tx, course) => {
      const quiz = await this.#quizOf(course.id, quizId, tx);
      await this.#repo.softDeleteQuiz(tx, quiz.id, this.#now());
    });
  }

  // --- enrolment and progress ------------------------------------------------------------------------------

  async #enrolmentView(enrolment: EnrolmentRow) {
    const [lessons, progress] = await Promise.all([
      this.#repo.lessonsOf(enrolment.course_id),
      this.#repo.progressOf(enrolment.id),
    ]);
    return {
      id: enrolment.id,
      course_id: enrolment.course_id,
      status: enrolment.status as 'active',
      enrolled_at: iso(enrolment.enrolled_at),
      completed_at: isoOrNull(enrolment.completed_at),
      progress_percentage: this.#progressPercentage(lessons, progress),
    };
  }

  /** Course progress, computed from lesson_progress: completed published lessons over published lessons. */
  #progressPercentage(lessons: LessonRow[], progress: ProgressRow[]): number {
    const published = lessons.filter((l) => l.status === 'published');
    const completed = new Set(progress.filter((p) => p.status === 'completed').map((p) => p.lesson_id));
    return percentage(published.filter((l) => completed.has(l.id)).length, published.length);
  }

  /**
   * Enrols the caller: a free course to anyone who may see it, a paid one to holders of a paid order line of its
   * product (402 otherwise). Enrolling twice answers the existing enrolment (`created` false).
   */
  async enrol(caller: Caller, courseId: string) {
    const { course, enrolment } = await this.#context(caller, courseId);
    authorize(mayEnrol(caller, course), EducationProblems.courseNotFound);
    if (enrolment && isLearner(enrolment)) return { created: false, enrolment: await this.#enrolmentView(enrolment) };
    const open = course as CourseRow;
    if (open.creator_id === caller.userId)
      throw new ApiError(EducationProblems.enrolmentClosed, 'A creator does not enrol in their own course');
    if (open.status !== 'published' || open.deleted_at !== null)
      throw new ApiError(EducationProblems.enrolmentClosed, 'The course is not open to new enrolments');
    let orderId: string | null = null;
    if (open.product_id !== null) {
      orderId = (await this.#deps.marketplace.paidOrderOf(caller.userId, open.product_id)) ?? null;
      if (!orderId) throw new ApiError(EducationProblems.paymentRequired, `Buy product ${open.product_id} to enrol`);
    }
    const row = await this.#repo.transaction(async (tx) => {
      // The order again, share-locked, before the course: a refund holds the order while it cancels what it paid
      // for (ADR 0090), so an enrolment cannot slip in behind a refund, and both take the order before the course.
      if (open.product_id !== null) {
        orderId = (await this.#deps.marketplace.paidOrderOf(caller.userId, open.product_id, tx)) ?? null;
        if (!orderId) throw new ApiError(EducationProblems.paymentRequired, `Buy product ${open.product_id} to enrol`);
      }
      const locked = await this.#repo.lockCourse(tx, open.id);
      if (locked?.status !== 'published' || locked.deleted_at !== null)
        throw new ApiError(EducationProblems.enrolmentClosed, 'The course is not open to new enrolments');
      return this.#repo.enrol(tx, caller.userId, open.id, orderId, this.#now());
    });
    return { created: true, enrolment: await this.#enrolmentView(row) };
  }

  async myEnrolments(caller: Caller) {
    const rows = await this.#repo.enrolmentsOf(caller.userId);
    return {
      items: rows.map((row) => ({
        id: row.id,
        course_id: row.course_id,
        course_title: row.course_title,
        status: row.status as 'active',
        enrolled_at: iso(row.enrolled_at),
        completed_at: isoOrNull(row.completed_at),
        progress_percentage: percentage(row.completed_lessons, row.published_lessons),
      })),
    };
  }

  async recordProgress(caller: Caller, courseId: string, lessonId: string, body: ProgressUpdate) {
    const { course, enrolment } = await this.#studying(caller, courseId);
    const lesson = await this.#repo.findLesson(course.id, lessonId);
    if (!lesson || lesson.status !== 'published') throw new ApiError(EducationProblems.lessonNotFound);
    const row = await this.#repo.recordProgress(
      enrolment.id,
      lesson.id,
      { positionSeconds: body.position_seconds, completed: body.completed },
      this.#now(),
    );
    const certificateId = body.completed ? await this.#completeIfDone(caller, course, enrolment) : undefined;
    const [lessons, progress] = await Promise.all([
      this.#repo.lessonsOf(course.id),
      this.#repo.progressOf(enrolment.id),
    ]);
    return {
      lesson: this.#progressView(row),
      progress_percentage: this.#progressPercentage(lessons, progress),
      certificate_id: certificateId ?? (await this.#repo.certificateOfEnrolment(enrolment.id))?.id ?? null,
    };
  }

  #progressView(row: ProgressRow) {
    return {
      lesson_id: row.lesson_id,
      status: row.status as 'completed',
      last_position_seconds: row.last_position_seconds,
      completed_at: isoOrNull(row.completed_at),
    };
  }

  async progress(caller: Caller, courseId: string) {
    const { course, enrolment } = await this.#studying(caller, courseId);
    const [progress, quizzes, attempts, certificate] = await Promise.all([
      this.#repo.progressOf(enrolment.id),
      this.#repo.quizzesOf(course.id),
      this.#repo.attemptsOfEnrolment(enrolment.id),
      this.#repo.certificateOfEnrolment(enrolment.id),
    ]);
    return {
      enrolment: await this.#enrolmentView(enrolment),
      lessons: progress.map((p) => this.#progressView(p)),
      quizzes: quizzes
        .filter((q) => q.status === 'published')
        .map((q) => ({ quiz_id: q.id, ...this.#scores(attempts.filter((a) => a.quiz_id === q.id)) })),
      certificate_id: certificate?.id ?? null,
    };
  }

  #scores(attempts: AttemptRow[]) {
    const graded = attempts.filter((a) => a.submitted_at !== null);
    return {
      best_score: graded.length === 0 ? null : Math.max(...graded.map((a) => a.score_percentage ?? 0)),
      last_score: graded.at(-1)?.score_percentage ?? null,
      passed: graded.some((a) => a.passed === true),
    };
  }

  /**
   * The completion rule (ADR 0083): every published lesson completed and every published quiz passed. When met,
   * the enrolment is completed and its certificate issued, once (the enrolment row is locked; the certificate is
   * unique per enrolment). Answers the certificate id, or undefined when the course is not complete.
   */
  async #completeIfDone(caller: Caller, course: CourseRow, enrolment: EnrolmentRow): Promise<string | undefined> {
    return this.#repo.transaction(async (tx) => {
      const locked = await this.#repo.lockEnrolment(tx, enrolment.id);
      if (!locked || locked.status === 'cancelled') return undefined;
      const [lessons, progress, quizzes, attempts] = await Promise.all([
        this.#repo.lessonsOf(course.id, tx),
        this.#repo.progressOf(enrolment.id, tx),
        this.#repo.quizzesOf(course.id, tx),
        this.#repo.attemptsOfEnrolment(enrolment.id, tx),
      ]);
      const published = lessons.filter((l) => l.status === 'published');
      const completed = new Set(progress.filter((p) => p.status === 'completed').map((p) => p.lesson_id));
      const passed = new Set(attempts.filter((a) => a.passed === true).map((a) => a.quiz_id));
      const done =
        published.length > 0 &&
        published.every((l) => completed.has(l.id)) &&
        quizzes.filter((q) => q.status === 'published').every((q) => passed.has(q.id));
      if (!done) return undefined;
      const now = this.#now();
      await this.#repo.completeEnrolment(tx, enrolment.id, now);
      const name = (await this.#deps.publicNames([caller.userId])).get(caller.userId);
      await this.#repo.issueCertificate(tx, {
        enrollment_id: enrolment.id,
        certificate_number: `VZC-${now.getUTCFullYear()}-${randomBytes(5).toString('hex').toUpperCase()}`,
        // 192 random bits: unguessable, and URL-safe as it is.
        verification_code: randomBytes(24).toString('base64url'),
        recipient_name: name?.display_name ?? name?.username ?? 'Veza learner',
        course_title: course.title,
        issued_at: now,
      });
      return (await this.#repo.certificateOfEnrolment(enrolment.id, tx))?.id;
    });
  }

  // --- quizzes (learning) ----------------------------------------------------------------------------------

  async #publishedQuiz(courseId: string, quizId: string): Promise<QuizRow> {
    const quiz = await this.#repo.findQuiz(courseId, quizId);
    if (!quiz || quiz.status !== 'published') throw new ApiError(EducationProblems.quizNotFound);
    return quiz;
  }

  /** A quiz as a learner sees it before an attempt: no questions. */
  async quizForLearner(caller: Caller | null, courseId: string, quizId: string) {
    const { course, enrolment } = await this.#visible(caller, courseId);
    const creator = mayManage(caller, course, enrolment).allowed;
    const quiz = creator ? await this.#quizOf(course.id, quizId) : await this.#publishedQuiz(course.id, quizId);
    return this.quizSummary(quiz, course.id);
  }

  /**
   * Starts an attempt: its deadline (start + time limit) is stored now. An attempt left open past its deadline
   * is closed with score 0 first; one still running is a 409; no attempts left is a 409.
   */
  async startAttempt(caller: Caller, courseId: string, quizId: string) {
    const { course, enrolment } = await this.#studying(caller, courseId);
    const quiz = await this.#publishedQuiz(course.id, quizId);
    const questions = quiz.questions as Question[];
    const attempt = await this.#repo.transaction(async (tx) => {
      await this.#repo.lockEnrolment(tx, enrolment.id);
      const now = this.#now();
      const attempts = await this.#repo.attemptsOf(enrolment.id, quiz.id, tx);
      for (const open of attempts.filter((a) => a.submitted_at === null)) {
        if (open.deadline_at === null || open.deadline_at > now)
          throw new ApiError(EducationProblems.attemptInProgress, `Attempt ${open.id} is under way: submit it first`);
        // Expired unsubmitted: graded as it stood, nothing answered.
        await this.#repo.gradeAttempt(tx, open.id, {
          answers: {},
          score: 0,
          passed: quiz.passing_score_percentage === 0,
          submittedAt: open.deadline_at,
        });
      }
      // The expired attempts closed above stay closed (committed) even though no new attempt may start.
      if (quiz.max_attempts !== null && attempts.length >= quiz.max_attempts) return undefined;
      return this.#repo.insertAttempt(tx, {
        quiz_id: quiz.id,
        enrollment_id: enrolment.id,
        attempt_number: attempts.length + 1,
        started_at: now,
        deadline_at: quiz.time_limit_seconds === null ? null : new Date(now.getTime() + quiz.time_limit_seconds * 1000),
      });
    });
    if (!attempt)
      throw new ApiError(EducationProblems.attemptsExhausted, `This quiz allows ${quiz.max_attempts} attempts`);
    return { ...this.attemptView(attempt), questions: questions.map((q) => learnerQuestion(q, attempt.id)) };
  }

  /**
   * Grades a submission on the server. Refused, changing nothing: answers naming questions of another quiz or
   * options not offered (422), a submission after the deadline (409 QUIZ_ATTEMPT_EXPIRED), a second submission
   * (409). A pass that completes the course issues the certificate.
   */
  async submitAttempt(caller: Caller, courseId: string, quizId: string, attemptId: string, body: SubmitAttempt) {
    const { course, enrolment } = await this.#studying(caller, courseId);
    const quiz = await this.#publishedQuiz(course.id, quizId);
    const questions = quiz.questions as Question[];
    const problems = answerProblems(questions, body.answers);
    const graded = await this.#repo.transaction(async (tx) => {
      await this.#repo.lockEnrolment(tx, enrolment.id);
      const attempt = (await this.#repo.attemptsOf(enrolment.id, quiz.id, tx)).find((a) => a.id === attemptId);
      if (!attempt) throw new ApiError(EducationProblems.attemptNotFound);
      if (attempt.submitted_at !== null) throw new ApiError(EducationProblems.attemptSubmitted);
      const now = this.#now();
      if (attempt.deadline_at !== null && now > attempt.deadline_at)
        throw new ApiError(
          EducationProblems.attemptExpired,
          `The deadline was ${attempt.deadline_at.toISOString()}; the attempt counts as unanswered`,
        );
      if (problems.length > 0) throw new ApiError(EducationProblems.answersInvalid, problems[0]!.message, problems);
      const result = grade(questions, body.answers);
      const row = await this.#repo.gradeAttempt(tx, attempt.id, {
        answers: body.answers,
        score: result.score,
        passed: result.score >= quiz.passing_score_percentage,
        submittedAt: now,
      });
      if (!row) throw new ApiError(EducationProblems.attemptSubmitted);
      return { row, correct: new Set(result.correct) };
    });
    const certificateId = graded.row.passed ? await this.#completeIfDone(caller, course, enrolment) : undefined;
    return {
      ...this.attemptView(graded.row),
      results: questions.map((q) => ({
        question_id: q.id,
        correct: graded.correct.has(q.id),
        explanation: q.explanation ?? null,
      })),
      certificate_id: certificateId ?? null,
    };
  }

  async attempts(caller: Caller, courseId: string, quizId: string) {
    const { course, enrolment } = await this.#studying(caller, courseId);
    const quiz = await this.#publishedQuiz(course.id, quizId);
    const rows = await this.#repo.attemptsOf(enrolment.id, quiz.id);
    return {
      attempts: rows.map((a) => this.attemptView(a)),
      attempts_left: quiz.max_attempts === null ? null : Math.max(0, quiz.max_attempts - rows.length),
      ...this.#scores(rows),
    };
  }

  // --- certificates ----------------------------------------------------------------------------------------

  async myCertificates(caller: Caller) {
    return { items: (await this.#repo.certificatesOf(caller.userId)).map((c) => this.certificateView(c)) };
  }

  async myCertificate(caller: Caller, certificateId: string): Promise<CertificateRow> {
    const row = await this.#repo.certificateOf(caller.userId, certificateId);
    if (!row) throw new ApiError(EducationProblems.certificateNotFound);
    return row;
  }

  /** The public check of a verification code: course, printed name, date; nothing else (ADR 0083). */
  async verify(code: string) {
    const row = await this.#repo.certificateByCode(code);
    if (!row) throw new ApiError(EducationProblems.certificateNotFound);
    return {
      course_title: row.course_title,
      recipient_name: row.recipient_name,
      issued_on: iso(row.issued_at).slice(0, 10),
      valid: row.revoked_at === null,
      revoked_on: row.revoked_at === null ? null : iso(row.revoked_at).slice(0, 10),
    };
  }

  /**
   * Revokes a certificate of the course, found by its printed number or its verification code (what a creator is
   * shown by whoever presents the certificate): the creator or an admin (ADR 0090). Revoking again answers the
   * first revocation unchanged.
   */
  async revokeCertificate(caller: Caller, courseId: string, body: RevokeCertificate) {
    const { course, enrolment } = await this.#context(caller, courseId);
    authorize(mayRevokeCertificates(caller, course, enrolment), EducationProblems.courseNotFound);
    const { reason, ...by } = body;
    const row = await this.#repo.transaction(async (tx) => {
      const certificate = await this.#repo.lockCertificateOfCourse(tx, (course as CourseRow).id, by);
      if (!certificate) throw new ApiError(EducationProblems.certificateNotFound);
      if (certificate.revoked_at !== null) return certificate;
      await this.#repo.revokeCertificate(tx, certificate.id, this.#now(), reason);
      return (await this.#repo.certificateOfEnrolment(certificate.enrollment_id, tx)) as CertificateRow;
    });
    return {
      certificate_number: row.certificate_number,
      course_id: row.course_id,
      issued_at: iso(row.issued_at),
      revoked_at: iso(row.revoked_at as Date),
      revocation_reason: row.revocation_reason as string,
    };
  }

  // --- statistics ------------------------------------------------------------------------------------------

  /** Aggregates over the course's learners (ADR 0083): never a learner's identity, answers or single score. */
  async statistics(caller: Caller, courseId: string) {
    const course = await this.#managed(caller, courseId);
    const stats = await this.#repo.statistics(course.id);
    const count = (status: string) => stats.enrolments.find((e) => e.status === status)?.learners ?? 0;
    const active = count('active');
    const completed = count('completed');
    const studying = stats.enrolments.filter((e) => e.status !== 'cancelled');
    const progressSum = studying.reduce((sum, e) => sum + Number(e.progress_sum), 0);
    return {
      enrolments: { active, completed, cancelled: count('cancelled') },
      completion_rate: active + completed === 0 ? null : completed / (active + completed),
      average_progress_percentage: active + completed === 0 ? null : progressSum / (active + completed),
      certificates_issued: stats.enrolments.reduce((sum, e) => sum + e.certificates, 0),
      lessons: stats.lessons,
      quizzes: stats.quizzes.map((q) => ({
        ...q,
        average_best_score: q.average_best_score === null ? null : Number(q.average_best_score),
      })),
    };
  }
}
