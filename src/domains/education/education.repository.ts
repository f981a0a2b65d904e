// Every SQL statement of the education tables (spec §11, migrations 0009 and 0051; issue 17). Rows in, rows out.
// Writes that must agree with each other (lesson positions, attempt numbers, the enrolment counter) take their
// course's or enrolment's row lock first, in the service's transaction.
import { sql, type Transaction } from 'kysely';
import type { DB, Json } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

export type Executor = Database | Transaction<DB>;

const COURSE_COLUMNS = [
  'id',
  'creator_id',
  'slug',
  'title',
  'summary',
  'description',
  'language',
  'level',
  'tags',
  'visibility',
  'cover_image_file_id',
  'product_id',
  'status',
  'lesson_count',
  'total_duration_seconds',
  'enrollment_count',
  'published_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

export interface CourseRow {
  id: string;
  creator_id: string;
  slug: string;
  title: string;
  summary: string | null;
  description: string;
  language: string;
  level: string;
  tags: string[] | null;
  visibility: 'public' | 'unlisted' | 'private';
  cover_image_file_id: string | null;
  product_id: string | null;
  status: string;
  lesson_count: number;
  total_duration_seconds: number;
  enrollment_count: number;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}
export type CourseListRow = CourseRow & { [POSITION_STAMP]: string };

export interface CourseValues {
  slug?: string;
  title?: string;
  summary?: string | null;
  description?: string;
  language?: string;
  level?: string;
  tags?: string[];
  visibility?: 'public' | 'unlisted' | 'private';
  cover_image_file_id?: string | null;
  product_id?: string | null;
}

const LESSON_COLUMNS = [
  'id',
  'course_id',
  'position',
  'section_title',
  'title',
  'summary',
  'lesson_type',
  'content',
  'video_file_id',
  'audio_file_id',
  'download_file_id',
  'duration_seconds',
  'is_preview',
  'status',
  'published_at',
  'created_at',
  'updated_at',
] as const;

export interface LessonRow {
  id: string;
  course_id: string;
  position: number;
  section_title: string | null;
  title: string;
  summary: string | null;
  lesson_type: string;
  content: string | null;
  video_file_id: string | null;
  audio_file_id: string | null;
  download_file_id: string | null;
  duration_seconds: number | null;
  is_preview: boolean;
  status: string;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface LessonValues {
  title?: string;
  section_title?: string | null;
  summary?: string | null;
  lesson_type?: string;
  content?: string | null;
  video_file_id?: string | null;
  audio_file_id?: string | null;
  download_file_id?: string | null;
  duration_seconds?: number | null;
  is_preview?: boolean;
}

export interface EnrolmentRow {
  id: string;
  user_id: string;
  course_id: string;
  order_id: string | null;
  status: string;
  enrolled_at: Date;
  completed_at: Date | null;
}

export interface ProgressRow {
  lesson_id: string;
  status: string;
  last_position_seconds: number;
  completed_at: Date | null;
}

const QUIZ_COLUMNS = [
  'id',
  'lesson_id',
  'course_id',
  'title',
  'description',
  'questions',
  'passing_score_percentage',
  'max_attempts',
  'time_limit_seconds',
  'status',
  'created_at',
  'updated_at',
] as const;

export interface QuizRow {
  id: string;
  /** Set for a course-level quiz; a lesson quiz's course is its lesson's (owningCourse). */
  course_id: string | null;
  lesson_id: string | null;
  title: string;
  description: string | null;
  questions: Json;
  passing_score_percentage: number;
  max_attempts: number | null;
  time_limit_seconds: number | null;
  status: string;
  created_at: Date;
  updated_at: Date;
}

export interface QuizValues {
  title?: string;
  description?: string | null;
  lesson_id?: string | null;
  course_id?: string | null;
  questions?: Json;
  passing_score_percentage?: number;
  max_attempts?: number | null;
  time_limit_seconds?: number | null;
}

const ATTEMPT_COLUMNS = [
  'id',
  'quiz_id',
  'enrollment_id',
  'attempt_number',
  'answers',
  'score_percentage',
  'passed',
  'started_at',
  'deadline_at',
  'submitted_at',
] as const;

export interface AttemptRow {
  id: string;
  quiz_id: string;
  enrollment_id: string;
  attempt_number: number;
  answers: Json;
  score_percentage: number | null;
  passed: boolean | null;
  started_at: Date;
  deadline_at: Date | null;
  submitted_at: Date | null;
}

export interface CertificateRow {
  id: string;
  enrollment_id: string;
  course_id: string;
  certificate_number: string;
  verification_code: string;
  recipient_name: string;
  course_title: string;
  issued_at: Date;
  revoked_at: Date | null;
  revocation_reason: string | null;
}

/** Positions are rewritten past this offset first: uq_lessons_course_id_position is partial, so not deferrable. */
const POSITION_SHIFT = 1_000_000;

/** The course of a quiz: its own, or its lesson's. */
const quizCourse = sql<string>`COALESCE(q.course_id, (SELECT l.course_id FROM lessons l WHERE l.id = q.lesson_id))`;

export function createEducationRepository(pool: Pool) {
  const { db } = pool;

  const certificateQuery = (executor: Executor) =>
    executor
      .selectFrom('certificates as c')
      .innerJoin('course_enrollments as e', 'e.id', 'c.enrollment_id')
      .select([
        'c.id',
        'c.enrollment_id',
        'e.course_id',
        'c.certificate_number',
        'c.verification_code',
        'c.recipient_name',
        'c.course_title',
        'c.issued_at',
        'c.revoked_at',
        'c.revocation_reason',
      ])
      .where('c.deleted_at', 'is', null);

  return {
    transaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    // --- courses ---------------------------------------------------------------------------------------------

    async findCourse(id: string, executor: Executor = db): Promise<CourseRow | undefined> {
      return await executor.selectFrom('courses').select(COURSE_COLUMNS).where('id', '=', id).executeTakeFirst();
    },

    /** The course row, locked until the transaction ends: lesson writes, publishing and enrolments queue here. */
    async lockCourse(tx: Transaction<DB>, id: string): Promise<CourseRow | undefined> {
      return await tx.selectFrom('courses').select(COURSE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    },

    /** Inserts a draft; undefined when the slug is taken (uq_courses_slug). */
    async insertCourse(creatorId: string, values: CourseValues & { slug: string; title: string }) {
      return await db
        .insertInto('courses')
        .values({ creator_id: creatorId, description: '', ...values })
        .onConflict((oc) => oc.column('slug').doNothing())
        .returning(COURSE_COLUMNS)
        .executeTakeFirst();
    },

    /** Updates the course; undefined when a new slug is taken. */
    async updateCourse(executor: Executor, id: string, values: CourseValues): Promise<CourseRow | undefined> {
      if (values.slug !== undefined) {
        const taken = await executor
          .selectFrom('courses')
          .select('id')
          .where('slug', '=', values.slug)
          .where('id', '<>', id)
          .executeTakeFirst();
        if (taken) return undefined;
      }
      return await executor
        .updateTable('courses')
        .set(values)
        .where('id', '=', id)
        .returning(COURSE_COLUMNS)
        .executeTakeFirst();
    },

    async setCourseStatus(tx: Transaction<DB>, id: string, status: string, now: Date): Promise<void> {
      await tx
        .updateTable('courses')
        .set({
          status,
          ...(status === 'published' ? { published_at: sql<Date>`COALESCE(published_at, ${now}::timestamptz)` } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async softDeleteCourse(tx: Transaction<DB>, id: string, now: Date): Promise<void> {
      await tx.updateTable('courses').set({ deleted_at: now }).where('id', '=', id).execute();
    },

    /** lesson_count and total_duration_seconds recomputed from the published live lessons (migration 0009). */
    async refreshCourseCounters(tx: Transaction<DB>, id: string): Promise<void> {
      await sql`
        UPDATE courses SET
          lesson_count = counted.lessons,
          total_duration_seconds = counted.seconds
        FROM (SELECT count(*)::int AS lessons, COALESCE(sum(duration_seconds), 0)::int AS seconds
              FROM lessons WHERE course_id = ${id} AND deleted_at IS NULL AND status = 'published') AS counted
        WHERE courses.id = ${id}
          AND (lesson_count, total_duration_seconds) IS DISTINCT FROM (counted.lessons, counted.seconds)`.execute(tx);
    },

    /** The public catalogue: published public courses, newest first, keyset on (created_at, id). */
    async catalogue(
      filters: { level?: string; creatorId?: string },
      limit: number,
      after?: Position,
    ): Promise<CourseListRow[]> {
      let query = db
        .selectFrom('courses')
        .select(COURSE_COLUMNS)
        .select(positionStamp('courses.created_at').as(POSITION_STAMP))
        .where('status', '=', 'published')
        .where('visibility', '=', 'public')
        .where('deleted_at', 'is', null);
      if (filters.level) query = query.where('level', '=', filters.level);
      if (filters.creatorId) query = query.where('creator_id', '=', filters.creatorId);
      if (after) query = query.where(beforePosition(after));
      return await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    /** A creator's own courses, any status but deleted, newest first. */
    async coursesOf(creatorId: string, limit: number, after?: Position): Promise<CourseListRow[]> {
      let query = db
        .selectFrom('courses')
        .select(COURSE_COLUMNS)
        .select(positionStamp('courses.created_at').as(POSITION_STAMP))
        .where('creator_id', '=', creatorId)
        .where('deleted_at', 'is', null);
      if (after) query = query.where(beforePosition(after));
      return await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    // --- lessons ---------------------------------------------------------------------------------------------

    /** The live lessons of a course in order (drafts included: the caller filters for learners). */
    async lessonsOf(courseId: string, executor: Executor = db): Promise<LessonRow[]> {
      return await executor
        .selectFrom('lessons')
        .select(LESSON_COLUMNS)
        .where('course_id', '=', courseId)
        .where('deleted_at', 'is', null)
        .orderBy('position')
        .execute();
    },

    async findLesson(courseId: string, lessonId: string, executor: Executor = db): Promise<LessonRow | undefined> {
      return await executor
        .selectFrom('lessons')
        .select(LESSON_COLUMNS)
        .where('id', '=', lessonId)
        .where('course_id', '=', courseId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    /** Appends a lesson after the last live one (the course row is locked by the caller). */
    async appendLesson(
      tx: Transaction<DB>,
      courseId: string,
      values: LessonValues & { title: string; lesson_type: string },
      published: Date | null,
    ): Promise<LessonRow> {
      return await tx
        .insertInto('lessons')
        .values({
          course_id: courseId,
          position: sql<number>`(SELECT COALESCE(max(position), 0) + 1 FROM lessons
                                 WHERE course_id = ${courseId} AND deleted_at IS NULL)`,
          ...values,
          ...(published ? { status: 'published', published_at: published } : {}),
        })
        .returning(LESSON_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async updateLesson(tx: Transaction<DB>, lessonId: string, values: LessonValues): Promise<LessonRow> {
      return await tx
        .updateTable('lessons')
        .set(values)
        .where('id', '=', lessonId)
        .returning(LESSON_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async publishLessons(tx: Transaction<DB>, courseId: string, now: Date, lessonId?: string): Promise<void> {
      let query = tx
        .updateTable('lessons')
        .set({ status: 'published', published_at: now })
        .where('course_id', '=', courseId)
        .where('status', '=', 'draft')
        .where('deleted_at', 'is', null);
      if (lessonId) query = query.where('id', '=', lessonId);
      await query.execute();
    },

    async softDeleteLesson(tx: Transaction<DB>, lessonId: string, now: Date): Promise<void> {
      await tx.updateTable('lessons').set({ deleted_at: now }).where('id', '=', lessonId).execute();
    },

    /**
     * Gives the live lessons of the course positions 1..n in the order of `lessonIds` (which names each once). Two
     * statements: out of range first, then into place, since the partial unique index is checked row by row.
     */
    async renumber(tx: Transaction<DB>, courseId: string, lessonIds: readonly string[]): Promise<void> {
      await sql`
        UPDATE lessons SET position = position + ${POSITION_SHIFT}::integer
        WHERE course_id = ${courseId} AND deleted_at IS NULL`.execute(tx);
      await sql`
        UPDATE lessons AS lesson SET position = wanted.ordinality::integer
        FROM unnest(${lessonIds}::uuid[]) WITH ORDINALITY AS wanted(id, ordinality)
        WHERE lesson.id = wanted.id AND lesson.course_id = ${courseId} AND lesson.deleted_at IS NULL`.execute(tx);
    },

    // --- quizzes ---------------------------------------------------------------------------------------------

    /** The live quizzes of a course: course-level ones and those of its live lessons. */
    async quizzesOf(courseId: string, executor: Executor = db): Promise<(QuizRow & { owner_course_id: string })[]> {
      return await executor
        .selectFrom('quizzes as q')
        .leftJoin('lessons as l', 'l.id', 'q.lesson_id')
        .select(QUIZ_COLUMNS.map((c) => `q.${c}` as const))
        .select(quizCourse.as('owner_course_id'))
        .where('q.deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('q.course_id', '=', courseId),
            eb.and([eb('l.course_id', '=', courseId), eb('l.deleted_at', 'is', null)]),
          ]),
        )
        .orderBy('q.created_at')
        .orderBy('q.id')
        .execute();
    },

    async findQuiz(courseId: string, quizId: string, executor: Executor = db): Promise<QuizRow | undefined> {
      return (await this.quizzesOf(courseId, executor)).find((quiz) => quiz.id === quizId);
    },

    async insertQuiz(tx: Transaction<DB>, values: QuizValues & { title: string }, published: boolean) {
      return await tx
        .insertInto('quizzes')
        .values({ ...values, ...(published ? { status: 'published' } : {}) })
        .returning(QUIZ_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async updateQuiz(tx: Transaction<DB>, quizId: string, values: QuizValues): Promise<QuizRow> {
      return await tx
        .updateTable('quizzes')
        .set(values)
        .where('id', '=', quizId)
        .returning(QUIZ_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async publishQuizzes(tx: Transaction<DB>, quizIds: readonly string[]): Promise<void> {
      if (quizIds.length === 0) return;
      await tx
        .updateTable('quizzes')
        .set({ status: 'published' })
        .where('id', 'in', [...quizIds])
        .where('status', '=', 'draft')
        .execute();
    },

    async softDeleteQuiz(tx: Transaction<DB>, quizId: string, now: Date): Promise<void> {
      await tx.updateTable('quizzes').set({ deleted_at: now }).where('id', '=', quizId).execute();
    },

    // --- enrolments and progress -----------------------------------------------------------------------------

    async enrolment(userId: string, courseId: string, executor: Executor = db): Promise<EnrolmentRow | undefined> {
      return await executor
        .selectFrom('course_enrollments')
        .select(['id', 'user_id', 'course_id', 'order_id', 'status', 'enrolled_at', 'completed_at'])
        .where('user_id', '=', userId)
        .where('course_id', '=', courseId)
        .executeTakeFirst();
    },

    /** The enrolment row, locked: attempts and completion of one learner in one course queue here. */
    async lockEnrolment(tx: Transaction<DB>, id: string): Promise<EnrolmentRow | undefined> {
      return await tx
        .selectFrom('course_enrollments')
        .select(['id', 'user_id', 'course_id', 'order_id', 'status', 'enrolled_at', 'completed_at'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },

    /** Enrols (or re-activates a cancelled enrolment) and keeps enrollment_count, under the course lock. */
    async enrol(
      tx: Transaction<DB>,
      userId: string,
      courseId: string,
      orderId: string | null,
      now: Date,
    ): Promise<EnrolmentRow> {
      const row = await tx
        .insertInto('course_enrollments')
        .values({ user_id: userId, course_id: courseId, order_id: orderId, enrolled_at: now })
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'course_id'])
            .doUpdateSet({ status: 'active', cancelled_at: null, order_id: orderId, enrolled_at: now })
            .where('course_enrollments.status', '=', 'cancelled'),
        )
        .returning(['id', 'user_id', 'course_id', 'order_id', 'status', 'enrolled_at', 'completed_at'])
        .executeTakeFirst();
      if (!row) return (await this.enrolment(userId, courseId, tx)) as EnrolmentRow;
      await tx
        .updateTable('courses')
        .set({ enrollment_count: sql`enrollment_count + 1` })
        .where('id', '=', courseId)
        .execute();
      return row;
    },

    async enrolmentsOf(userId: string) {
      return await db
        .selectFrom('course_enrollments as e')
        .innerJoin('courses as c', 'c.id', 'e.course_id')
        .select([
          'e.id',
          'e.course_id',
          'e.status',
          'e.enrolled_at',
          'e.completed_at',
          'c.title as course_title',
          sql<number>`(SELECT count(*)::int FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id
                       WHERE p.enrollment_id = e.id AND p.status = 'completed'
                         AND l.deleted_at IS NULL AND l.status = 'published')`.as('completed_lessons'),
          sql<number>`(SELECT count(*)::int FROM lessons l
                       WHERE l.course_id = e.course_id AND l.deleted_at IS NULL AND l.status = 'published')`.as(
            'published_lessons',
          ),
        ])
        .where('e.user_id', '=', userId)
        .orderBy('e.enrolled_at', 'desc')
        .orderBy('e.id', 'desc')
        .limit(pageSize(500))
        .execute();
    },

    async progressOf(enrolmentId: string, executor: Executor = db): Promise<ProgressRow[]> {
      return await executor
        .selectFrom('lesson_progress')
        .select(['lesson_id', 'status', 'last_position_seconds', 'completed_at'])
        .where('enrollment_id', '=', enrolmentId)
        .execute();
    },

    /** Records where the learner is; `completed` only ever moves a lesson to completed (never back). */
    async recordProgress(
      enrolmentId: string,
      lessonId: string,
      change: { positionSeconds?: number; completed?: boolean },
      now: Date,
    ): Promise<ProgressRow> {
      const completing = change.completed === true;
      return await db
        .insertInto('lesson_progress')
        .values({
          enrollment_id: enrolmentId,
          lesson_id: lessonId,
          started_at: now,
          last_position_seconds: change.positionSeconds ?? 0,
          ...(completing ? { status: 'completed', completed_at: now } : {}),
        })
        .onConflict((oc) =>
          oc.columns(['enrollment_id', 'lesson_id']).doUpdateSet({
            ...(change.positionSeconds !== undefined ? { last_position_seconds: change.positionSeconds } : {}),
            ...(completing
              ? {
                  status: 'completed',
                  completed_at: sql<Date>`COALESCE(lesson_progress.completed_at, ${now}::timestamptz)`,
                }
              : { status: sql<string>`lesson_progress.status` }),
          }),
        )
        .returning(['lesson_id', 'status', 'last_position_seconds', 'completed_at'])
        .executeTakeFirstOrThrow();
    },

    async completeEnrolment(tx: Transaction<DB>, enrolmentId: string, now: Date): Promise<void> {
      await tx
        .updateTable('course_enrollments')
        .set({ status: 'completed', completed_at: now, progress_percentage: 100 })
        .where('id', '=', enrolmentId)
        .where('status', '=', 'active')
        .execute();
    },

    // --- attempts --------------------------------------------------------------------------------------------

    async attemptsOf(enrolmentId: string, quizId: string, executor: Executor = db): Promise<AttemptRow[]> {
      return await executor
        .selectFrom('quiz_attempts')
        .select(ATTEMPT_COLUMNS)
        .where('enrollment_id', '=', enrolmentId)
        .where('quiz_id', '=', quizId)
        .orderBy('attempt_number')
        .execute();
    },

    async attemptsOfEnrolment(enrolmentId: string, executor: Executor = db): Promise<AttemptRow[]> {
      return await executor
        .selectFrom('quiz_attempts')
        .select(ATTEMPT_COLUMNS)
        .where('enrollment_id', '=', enrolmentId)
        .orderBy('attempt_number')
        .execute();
    },

    async insertAttempt(
      tx: Transaction<DB>,
      values: {
        quiz_id: string;
        enrollment_id: string;
        attempt_number: number;
        started_at: Date;
        deadline_at: Date | null;
      },
    ): Promise<AttemptRow> {
      return await tx.insertInto('quiz_attempts').values(values).returning(ATTEMPT_COLUMNS).executeTakeFirstOrThrow();
    },

    /** Grades an open attempt; undefined when it was submitted meanwhile. */
    async gradeAttempt(
      tx: Transaction<DB>,
      attemptId: string,
      grade: { answers: Json; score: number; passed: boolean; submittedAt: Date },
    ): Promise<AttemptRow | undefined> {
      return await tx
        .updateTable('quiz_attempts')
        .set({
          answers: JSON.stringify(grade.answers),
          score_percentage: grade.score,
          passed: grade.passed,
          submitted_at: grade.submittedAt,
        })
        .where('id', '=', attemptId)
        .where('submitted_at', 'is', null)
        .returning(ATTEMPT_COLUMNS)
        .executeTakeFirst();
    },

    // --- certificates ----------------------------------------------------------------------------------------

    /** Issues the enrolment's certificate; nothing when it has one (uq_certificates_enrollment_id). */
    async issueCertificate(
      tx: Transaction<DB>,
      values: {
        enrollment_id: string;
        certificate_number: string;
        verification_code: string;
        recipient_name: string;
        course_title: string;
        issued_at: Date;
      },
    ): Promise<void> {
      await tx
        .insertInto('certificates')
        .values(values)
        .onConflict((oc) => oc.column('enrollment_id').doNothing())
        .execute();
    },

    async certificateOfEnrolment(enrolmentId: string, executor: Executor = db): Promise<CertificateRow | undefined> {
      return await certificateQuery(executor).where('c.enrollment_id', '=', enrolmentId).executeTakeFirst();
    },

    async certificatesOf(userId: string): Promise<CertificateRow[]> {
      return await certificateQuery(db)
        .where('e.user_id', '=', userId)
        .orderBy('c.issued_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(pageSize(500))
        .execute();
    },

    async certificateOf(userId: string, certificateId: string): Promise<CertificateRow | undefined> {
      return await certificateQuery(db)
        .where('e.user_id', '=', userId)
        .where('c.id', '=', certificateId)
        .executeTakeFirst();
    },

    async certificateByCode(code: string): Promise<CertificateRow | undefined> {
      return await certificateQuery(db).where('c.verification_code', '=', code).executeTakeFirst();
    },

    /** A certificate of this course by its printed number or its verification code, locked for a revocation. */
    async lockCertificateOfCourse(
      tx: Transaction<DB>,
      courseId: string,
      by: { certificate_number: string } | { verification_code: string },
    ): Promise<CertificateRow | undefined> {
      const query = certificateQuery(tx).where('e.course_id', '=', courseId);
      return await (
        'certificate_number' in by
          ? query.where('c.certificate_number', '=', by.certificate_number)
          : query.where('c.verification_code', '=', by.verification_code)
      )
        .forUpdate('c')
        .executeTakeFirst();
    },

    async revokeCertificate(tx: Transaction<DB>, id: string, at: Date, reason: string): Promise<void> {
      await tx
        .updateTable('certificates')
        .set({ revoked_at: at, revocation_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },

    // --- statistics ------------------------------------------------------------------------------------------

    /** Aggregates only (ADR 0083): counts and averages over the course's learners, never one learner's rows. */
    async statistics(courseId: string) {
      const [enrolments, lessons, quizzes] = await Promise.all([
        sql<{ status: string; learners: number; progress_sum: number; certificates: number }>`
          SELECT e.status, count(*)::int AS learners,
                 COALESCE(sum(CASE WHEN published.total = 0 THEN 0
                              ELSE 100.0 * done.completed / published.total END), 0)::float8 AS progress_sum,
                 count(c.id)::int AS certificates
          FROM course_enrollments e
          LEFT JOIN certificates c ON c.enrollment_id = e.id AND c.deleted_at IS NULL AND c.revoked_at IS NULL
          CROSS JOIN LATERAL (SELECT count(*) AS total FROM lessons l
                              WHERE l.course_id = e.course_id AND l.deleted_at IS NULL AND l.status = 'published')
                AS published
          CROSS JOIN LATERAL (SELECT count(*) AS completed FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id
                              WHERE p.enrollment_id = e.id AND p.status = 'completed'
                                AND l.deleted_at IS NULL AND l.status = 'published') AS done
          WHERE e.course_id = ${courseId}
          GROUP BY e.status`.execute(db),
        sql<{ lesson_id: string; title: string; completed_by: number }>`
          SELECT l.id AS lesson_id, l.title,
                 (SELECT count(*)::int FROM lesson_progress p JOIN course_enrollments e ON e.id = p.enrollment_id
                  WHERE p.lesson_id = l.id AND p.status = 'completed' AND e.status <> 'cancelled') AS completed_by
          FROM lessons l WHERE l.course_id = ${courseId} AND l.deleted_at IS NULL ORDER BY l.position`.execute(db),
        sql<{
          quiz_id: string;
          title: string;
          learners_attempted: number;
          learners_passed: number;
          submitted_attempts: number;
          average_best_score: number | null;
        }>`
          SELECT q.id AS quiz_id, q.title,
                 count(DISTINCT a.enrollment_id)::int AS learners_attempted,
                 count(DISTINCT a.enrollment_id) FILTER (WHERE a.passed)::int AS learners_passed,
                 count(a.id) FILTER (WHERE a.submitted_at IS NOT NULL)::int AS submitted_attempts,
                 (SELECT avg(best)::float8 FROM (SELECT max(a2.score_percentage) AS best FROM quiz_attempts a2
                   WHERE a2.quiz_id = q.id AND a2.submitted_at IS NOT NULL GROUP BY a2.enrollment_id) AS bests)
                   AS average_best_score
          FROM quizzes q
          LEFT JOIN lessons l ON l.id = q.lesson_id
          LEFT JOIN quiz_attempts a ON a.quiz_id = q.id
          WHERE q.deleted_at IS NULL
            AND (q.course_id = ${courseId} OR (l.course_id = ${courseId} AND l.deleted_at IS NULL))
          GROUP BY q.id, q.title, q.created_at ORDER BY q.created_at, q.id`.execute(db),
      ]);
      return { enrolments: enrolments.rows, lessons: lessons.rows, quizzes: quizzes.rows };
    },
  };
}

export type EducationRepository = ReturnType<typeof createEducationRepository>;

/**
 * Cancels the live enrolments an order paid for, and revokes their certificates, in the caller's transaction (the
 * marketplace's refund: ADR 0090). The courses are locked first, in id order, as enrolment locks its course before
 * writing: the two never wait on each other in opposite orders. Answers how many enrolments were cancelled.
 */
export async function cancelEnrolmentsOfOrder(
  tx: Transaction<DB>,
  orderId: string,
  at: Date,
  reason: string,
): Promise<number> {
  const courses = await tx
    .selectFrom('course_enrollments')
    .select('course_id')
    .distinct()
    .where('order_id', '=', orderId)
    .where('status', '<>', 'cancelled')
    .execute();
  if (courses.length === 0) return 0;
  const courseIds = courses.map((c) => c.course_id).sort();
  await tx.selectFrom('courses').select('id').where('id', 'in', courseIds).orderBy('id').forUpdate().execute();
  const cancelled = await tx
    .updateTable('course_enrollments')
    .set({ status: 'cancelled', cancelled_at: at })
    .where('order_id', '=', orderId)
    .where('status', '<>', 'cancelled')
    .returning(['id', 'course_id'])
    .execute();
  if (cancelled.length === 0) return 0;
  // enrollment_count counts active and completed enrolments (migration 0009).
  const perCourse = new Map<string, number>();
  for (const row of cancelled) perCourse.set(row.course_id, (perCourse.get(row.course_id) ?? 0) + 1);
  for (const [courseId, count] of perCourse)
    await tx
      .updateTable('courses')
      .set({ enrollment_count: sql`enrollment_count - ${count}` })
      .where('id', '=', courseId)
      .execute();
  await tx
    .updateTable('certificates')
    .set({ revoked_at: at, revocation_reason: reason })
    .where(
      'enrollment_id',
      'in',
      cancelled.map((row) => row.id),
    )
    .where('revoked_at', 'is', null)
    .execute();
  return cancelled.length;
}
