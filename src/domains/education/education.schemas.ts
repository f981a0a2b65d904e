// The education API contract (issue 17 §1-5; ADRs 0081-0083): courses, lessons, enrolments and progress, quizzes
// and attempts, certificates, creator statistics. TypeBox schemas = OpenAPI document. The quiz question format is
// quiz.questions.ts.
import { Type, type Static } from 'typebox';
import { SLUG_PATTERN } from '../../platform/http/name-and-slug.ts';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { NO_CONTROL_PATTERN, TEXT_PATTERN } from '../../platform/http/text-patterns.ts';
import { AnswersSchema, LearnerQuestionSchema, QuestionsSchema } from './quiz.questions.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);
const Text = (maxLength: number, description: string, minLength = 1) =>
  Type.String({ minLength, maxLength, pattern: minLength > 0 ? TEXT_PATTERN : NO_CONTROL_PATTERN, description });
const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export const VISIBILITIES = ['public', 'unlisted', 'private'] as const;
export const COURSE_STATUSES = ['draft', 'published', 'archived'] as const;
export const LESSON_TYPES = ['video', 'audio', 'text', 'file'] as const;
export type LessonType = (typeof LESSON_TYPES)[number];

// --- parameters ------------------------------------------------------------------------------------------------

export const CourseParams = Type.Object({ id: Uuid }, closed);
export const LessonParams = Type.Object({ id: Uuid, lesson_id: Uuid }, closed);
export const QuizParams = Type.Object({ id: Uuid, quiz_id: Uuid }, closed);
export const AttemptParams = Type.Object({ id: Uuid, quiz_id: Uuid, attempt_id: Uuid }, closed);
export const CertificateParams = Type.Object({ id: Uuid }, closed);
export const VerificationParams = Type.Object(
  { code: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]{16,64}$' }) },
  closed,
);

// --- courses ---------------------------------------------------------------------------------------------------

const courseFields = {
  title: Text(255, '1 to 255 characters'),
  summary: Nullable(Text(500, 'One line for listings')),
  description: Text(20_000, 'At most 20,000 characters', 0),
  language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35, description: 'BCP 47 tag' }),
  level: literals(LEVELS, 'Difficulty of the content (describes the course, never the learner)'),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N} _&+#.-]*$' }), {
    maxItems: 10,
    uniqueItems: true,
  }),
  visibility: literals(VISIBILITIES, 'public: listed; unlisted: by link; private: its learners only'),
  cover_file_id: Nullable(Uuid, { description: 'An image of yours' }),
  product_id: Nullable(Uuid, {
    description: 'Your marketplace product that sells the course (ADR 0081); null: free',
  }),
};

export const CreateCourseSchema = Type.Object(
  {
    ...courseFields,
    title: courseFields.title,
    slug: Type.Optional(Type.String({ minLength: 3, maxLength: 100, pattern: SLUG_PATTERN })),
    summary: Type.Optional(courseFields.summary),
    language: Type.Optional(courseFields.language),
    level: Type.Optional(courseFields.level),
    tags: Type.Optional(courseFields.tags),
    visibility: Type.Optional(courseFields.visibility),
    cover_file_id: Type.Optional(courseFields.cover_file_id),
    product_id: Type.Optional(courseFields.product_id),
  },
  closed,
);
export type CreateCourse = Static<typeof CreateCourseSchema>;

export const UpdateCourseSchema = Type.Partial(Type.Object(courseFields, closed), {
  ...closed,
  minProperties: 1,
});
export type UpdateCourse = Static<typeof UpdateCourseSchema>;

export const CourseSchema = Type.Object({
  id: Uuid,
  creator_id: Uuid,
  slug: Type.String(),
  title: Type.String(),
  summary: Nullable(Type.String()),
  description: Type.String(),
  language: Type.String(),
  level: literals(LEVELS),
  tags: Type.Array(Type.String()),
  visibility: literals(VISIBILITIES),
  cover_file_id: Nullable(Uuid),
  product_id: Nullable(Uuid),
  free: Type.Boolean({ description: 'No product: anyone who sees the course may enrol' }),
  status: literals(COURSE_STATUSES),
  lesson_count: Type.Integer({ description: 'Published lessons' }),
  total_duration_seconds: Type.Integer(),
  enrollment_count: Type.Integer(),
  published_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const CourseListSchema = PageSchema(CourseSchema);

export const CatalogueQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    level: Type.Optional(literals(LEVELS)),
    creator_id: Type.Optional(Uuid),
  },
  closed,
);
export type CatalogueQuery = Static<typeof CatalogueQuerySchema>;
export const MyCoursesQuerySchema = Type.Object({ ...PageQuerySchema.properties }, closed);

// --- lessons ---------------------------------------------------------------------------------------------------

const lessonFields = {
  title: Text(255, '1 to 255 characters'),
  section_title: Nullable(Text(255, 'Heading grouping consecutive lessons')),
  summary: Nullable(Text(500, 'One line')),
  lesson_type: literals(LESSON_TYPES, 'video and audio need their file, file a download_file_id, text content'),
  content: Nullable(Text(100_000, 'Markdown body or notes', 0)),
  video_file_id: Nullable(Uuid),
  audio_file_id: Nullable(Uuid),
  download_file_id: Nullable(Uuid),
  duration_seconds: Nullable(Type.Integer({ minimum: 1, maximum: 86_400 })),
  is_preview: Type.Boolean({ description: 'Free preview: open to anyone who may see the course' }),
};

export const CreateLessonSchema = Type.Object(
  {
    title: lessonFields.title,
    lesson_type: lessonFields.lesson_type,
    section_title: Type.Optional(lessonFields.section_title),
    summary: Type.Optional(lessonFields.summary),
    content: Type.Optional(lessonFields.content),
    video_file_id: Type.Optional(lessonFields.video_file_id),
    audio_file_id: Type.Optional(lessonFields.audio_file_id),
    download_file_id: Type.Optional(lessonFields.download_file_id),
    duration_seconds: Type.Optional(lessonFields.duration_seconds),
    is_preview: Type.Optional(lessonFields.is_preview),
  },
  closed,
);
export type CreateLesson = Static<typeof CreateLessonSchema>;
export const UpdateLessonSchema = Type.Partial(Type.Object(lessonFields, closed), { ...closed, minProperties: 1 });
export type UpdateLesson = Static<typeof UpdateLessonSchema>;

export const LessonOrderSchema = Type.Object(
  { lesson_ids: Type.Array(Uuid, { minItems: 1, maxItems: 500, description: 'Every live lesson, once, in order' }) },
  closed,
);

/** A lesson in the course outline: what anyone who sees the course sees. */
export const LessonOutlineSchema = Type.Object({
  id: Uuid,
  position: Type.Integer(),
  section_title: Nullable(Type.String()),
  title: Type.String(),
  summary: Nullable(Type.String()),
  lesson_type: literals(LESSON_TYPES),
  duration_seconds: Nullable(Type.Integer()),
  is_preview: Type.Boolean(),
  status: literals(['draft', 'published'] as const),
});
/** A lesson with its content: the creator, learners, and anyone for a preview. */
export const LessonSchema = Type.Object({
  ...LessonOutlineSchema.properties,
  content: Nullable(Type.String()),
  video_file_id: Nullable(Uuid),
  audio_file_id: Nullable(Uuid),
  download_file_id: Nullable(Uuid),
  published_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const LessonOrderAnswerSchema = Type.Object({ lessons: Type.Array(LessonOutlineSchema) });

// --- quizzes ---------------------------------------------------------------------------------------------------

const quizFields = {
  title: Text(255, '1 to 255 characters'),
  description: Nullable(Text(5000, 'Instructions', 0)),
  lesson_id: Nullable(Uuid, { description: 'The lesson the quiz follows; null: a final quiz of the course' }),
  questions: QuestionsSchema,
  passing_score_percentage: Type.Integer({ minimum: 0, maximum: 100 }),
  max_attempts: Nullable(Type.Integer({ minimum: 1, maximum: 100 }), { description: 'null: unlimited' }),
  time_limit_seconds: Nullable(Type.Integer({ minimum: 10, maximum: 86_400 }), { description: 'null: untimed' }),
};
export const CreateQuizSchema = Type.Object(
  {
    title: quizFields.title,
    questions: quizFields.questions,
    description: Type.Optional(quizFields.description),
    lesson_id: Type.Optional(quizFields.lesson_id),
    passing_score_percentage: Type.Optional(quizFields.passing_score_percentage),
    max_attempts: Type.Optional(quizFields.max_attempts),
    time_limit_seconds: Type.Optional(quizFields.time_limit_seconds),
  },
  closed,
);
export type CreateQuiz = Static<typeof CreateQuizSchema>;
export const UpdateQuizSchema = Type.Partial(Type.Object(quizFields, closed), { ...closed, minProperties: 1 });
export type UpdateQuiz = Static<typeof UpdateQuizSchema>;

const quizSummaryFields = {
  id: Uuid,
  course_id: Uuid,
  lesson_id: Nullable(Uuid),
  title: Type.String(),
  description: Nullable(Type.String()),
  question_count: Type.Integer(),
  passing_score_percentage: Type.Integer(),
  max_attempts: Nullable(Type.Integer()),
  time_limit_seconds: Nullable(Type.Integer()),
  status: literals(['draft', 'published'] as const),
};
/** A quiz without its questions: what a learner sees before starting an attempt. */
export const QuizSummarySchema = Type.Object(quizSummaryFields);
/** The creator's view: the questions with their answer keys. */
export const QuizSchema = Type.Object({
  ...quizSummaryFields,
  questions: QuestionsSchema,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const AttemptSchema = Type.Object({
  id: Uuid,
  quiz_id: Uuid,
  attempt_number: Type.Integer(),
  started_at: Timestamp,
  deadline_at: Nullable(Timestamp, { description: 'Submissions after it are refused; null: untimed' }),
  submitted_at: Nullable(Timestamp),
  score_percentage: Nullable(Type.Integer()),
  passed: Nullable(Type.Boolean()),
});
export const StartedAttemptSchema = Type.Object({
  ...AttemptSchema.properties,
  questions: Type.Array(LearnerQuestionSchema, { description: 'No answer key; ordering items shuffled' }),
});
export const SubmitAttemptSchema = Type.Object({ answers: AnswersSchema }, closed);
export type SubmitAttempt = Static<typeof SubmitAttemptSchema>;
export const GradedAttemptSchema = Type.Object({
  ...AttemptSchema.properties,
  results: Type.Array(
    Type.Object({
      question_id: Type.String(),
      correct: Type.Boolean(),
      explanation: Nullable(Type.String()),
    }),
    { description: 'Right or wrong per question, with the author’s explanation; never the answer key (ADR 0082)' },
  ),
  certificate_id: Nullable(Uuid, { description: 'Set when this pass completed the course' }),
});
export const AttemptListSchema = Type.Object({
  attempts: Type.Array(AttemptSchema),
  attempts_left: Nullable(Type.Integer(), { description: 'null: unlimited' }),
  best_score: Nullable(Type.Integer()),
  last_score: Nullable(Type.Integer()),
  passed: Type.Boolean(),
});

// --- enrolment and progress ------------------------------------------------------------------------------------

export const EnrolmentSchema = Type.Object({
  id: Uuid,
  course_id: Uuid,
  status: literals(['active', 'completed', 'cancelled'] as const),
  enrolled_at: Timestamp,
  completed_at: Nullable(Timestamp),
  progress_percentage: Type.Integer({ description: 'Completed published lessons / published lessons, computed' }),
});
export const EnrolmentListSchema = Type.Object({
  items: Type.Array(Type.Object({ ...EnrolmentSchema.properties, course_title: Type.String() })),
});

export const ProgressUpdateSchema = Type.Object(
  {
    position_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    completed: Type.Optional(Type.Boolean({ description: 'true marks the lesson completed (it stays completed)' })),
  },
  { ...closed, minProperties: 1 },
);
export type ProgressUpdate = Static<typeof ProgressUpdateSchema>;

export const LessonProgressSchema = Type.Object({
  lesson_id: Uuid,
  status: literals(['in_progress', 'completed'] as const),
  last_position_seconds: Type.Integer(),
  completed_at: Nullable(Timestamp),
});
export const CourseProgressSchema = Type.Object({
  enrolment: EnrolmentSchema,
  lessons: Type.Array(LessonProgressSchema),
  quizzes: Type.Array(
    Type.Object({
      quiz_id: Uuid,
      best_score: Nullable(Type.Integer()),
      last_score: Nullable(Type.Integer()),
      passed: Type.Boolean(),
    }),
  ),
  certificate_id: Nullable(Uuid),
});
export const ProgressAnswerSchema = Type.Object({
  lesson: LessonProgressSchema,
  progress_percentage: Type.Integer(),
  certificate_id: Nullable(Uuid, { description: 'Set once the course is complete' }),
});

// --- certificates ----------------------------------------------------------------------------------------------

export const CertificateSchema = Type.Object({
  id: Uuid,
  course_id: Uuid,
  certificate_number: Type.String(),
  verification_code: Type.String({ description: 'The secret of the public verification link' }),
  recipient_name: Type.String(),
  course_title: Type.String(),
  issued_at: Timestamp,
  revoked_at: Nullable(Timestamp),
});
export const CertificateListSchema = Type.Object({ items: Type.Array(CertificateSchema) });
export const VerificationSchema = Type.Object({
  course_title: Type.String(),
  recipient_name: Type.String({ description: 'The learner’s display name as printed' }),
  issued_on: Type.String({ format: 'date', description: 'Date only' }),
  valid: Type.Boolean({ description: 'false when revoked' }),
  revoked_on: Nullable(Type.String({ format: 'date' }), {
    description: 'Date only; the reason is never shown publicly (ADR 0090)',
  }),
});

const revocationReason = Text(255, 'Why the certificate no longer stands; kept with it, never shown publicly');
const CertificateNumber = Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9-]{1,50}$' });
export const RevokeCertificateSchema = Type.Union([
  Type.Object({ certificate_number: CertificateNumber, reason: revocationReason }, closed),
  Type.Object({ verification_code: VerificationParams.properties.code, reason: revocationReason }, closed),
]);
export type RevokeCertificate = Static<typeof RevokeCertificateSchema>;
export const CertificateRevocationSchema = Type.Object({
  certificate_number: Type.String(),
  course_id: Uuid,
  issued_at: Timestamp,
  revoked_at: Timestamp,
  revocation_reason: Type.String(),
});

// --- lesson files (ADR 0090) -----------------------------------------------------------------------------------

export const LessonFileParams = Type.Object({ course_id: Uuid, lesson_id: Uuid, file_id: Uuid }, closed);
export const LessonFileQuery = Type.Object(
  {
    holder: Type.String({ format: 'uuid', description: 'From the link: whom it was issued to' }),
    expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'From the link: Unix time, seconds' }),
    signature: Type.String({ minLength: 1, maxLength: 200, description: 'From the link' }),
  },
  closed,
);
export const LessonFileLinkSchema = Type.Object({
  url: Type.String({ description: 'Path of the file, with its holder, expiry and signature; GET needs no token' }),
  expires_at: Timestamp,
  file: Type.Object({
    id: Uuid,
    filename: Type.String(),
    mime_type: Type.String(),
    size: Type.Integer(),
  }),
});

// --- statistics ------------------------------------------------------------------------------------------------

export const StatisticsSchema = Type.Object({
  enrolments: Type.Object({ active: Type.Integer(), completed: Type.Integer(), cancelled: Type.Integer() }),
  completion_rate: Nullable(Type.Number({ description: 'completed / (active + completed); null without learners' })),
  average_progress_percentage: Nullable(Type.Number()),
  certificates_issued: Type.Integer(),
  lessons: Type.Array(Type.Object({ lesson_id: Uuid, title: Type.String(), completed_by: Type.Integer() })),
  quizzes: Type.Array(
    Type.Object({
      quiz_id: Uuid,
      title: Type.String(),
      learners_attempted: Type.Integer(),
      learners_passed: Type.Integer(),
      submitted_attempts: Type.Integer(),
      average_best_score: Nullable(Type.Number()),
    }),
  ),
});
