// Error catalogue of the education domain (issue 17 §1-5; ADRs 0081-0083): stable codes, rendered as RFC 9457
// problem details (docs/api.md). A course the caller may not see (someone else's draft, a deleted course) answers
// courseNotFound whatever the route, so nobody learns what a creator has in preparation.
import { problemType } from '../../platform/http/problem.ts';

export const EducationProblems = {
  /** No such course, or one the caller may not know exists. */
  courseNotFound: problemType('COURSE_NOT_FOUND', 404, 'No such course'),
  /** uq_courses_slug: another course has this slug. */
  courseSlugTaken: problemType('COURSE_SLUG_TAKEN', 409, 'Another course has this slug'),
  /** A file named is not the creator's own live file of the right kind (or not cleared, for a published lesson). */
  fileUnusable: problemType('COURSE_FILE_UNUSABLE', 422, 'This file cannot be used for the course'),
  /** The product named is not the creator's own live product. */
  productUnusable: problemType('COURSE_PRODUCT_UNUSABLE', 422, 'This product cannot sell the course'),
  /** Publishing needs at least one published lesson whose files are cleared, and published quizzes to be valid. */
  notPublishable: problemType('COURSE_NOT_PUBLISHABLE', 409, 'The course cannot be published yet'),
  /** The status change asked is not one the course's status allows. */
  statusConflict: problemType('COURSE_STATUS_CONFLICT', 409, 'The course is not in a status that allows this'),
  /** No such lesson in this course. */
  lessonNotFound: problemType('LESSON_NOT_FOUND', 404, 'No such lesson in this course'),
  /** The lesson's type and its content disagree (a video lesson without a video file…). */
  lessonContentInvalid: problemType('LESSON_CONTENT_INVALID', 422, 'The lesson content does not match its type'),
  /** A reorder must name every live lesson of the course exactly once. */
  lessonOrderMismatch: problemType('LESSON_ORDER_MISMATCH', 409, 'The order does not name every lesson once'),
  /** Enrolment in a paid course needs a paid order of its product. */
  paymentRequired: problemType('COURSE_PAYMENT_REQUIRED', 402, 'Buy the course to enrol'),
  /** The course is not open to new enrolments (draft, archived) or the caller is its creator. */
  enrolmentClosed: problemType('ENROLMENT_CLOSED', 409, 'The course is not open to this enrolment'),
  /** The caller is not enrolled (or their enrolment was cancelled). */
  notEnrolled: problemType('NOT_ENROLLED', 403, 'Enrol in the course first'),
  /** No such quiz in this course. */
  quizNotFound: problemType('QUIZ_NOT_FOUND', 404, 'No such quiz in this course'),
  /** The questions break a rule the schema cannot say (duplicate ids, an answer naming no option…). */
  questionsInvalid: problemType('QUIZ_QUESTIONS_INVALID', 422, 'The questions are not consistent'),
  /** Every attempt the quiz allows was used. */
  attemptsExhausted: problemType('QUIZ_ATTEMPTS_EXHAUSTED', 409, 'No attempts left for this quiz'),
  /** An attempt is already under way: submit it (or let its time run out) first. */
  attemptInProgress: problemType('QUIZ_ATTEMPT_IN_PROGRESS', 409, 'An attempt of this quiz is under way'),
  /** No such attempt of the caller at this quiz. */
  attemptNotFound: problemType('QUIZ_ATTEMPT_NOT_FOUND', 404, 'No such attempt'),
  /** The attempt was submitted already. */
  attemptSubmitted: problemType('QUIZ_ATTEMPT_SUBMITTED', 409, 'This attempt was already submitted'),
  /** The attempt's deadline passed: the submission is refused and the attempt is graded as it stood (empty). */
  attemptExpired: problemType('QUIZ_ATTEMPT_EXPIRED', 409, 'The time limit of this attempt has passed'),
  /** The answers name questions of another quiz, options not offered, or have the wrong shape. */
  answersInvalid: problemType('QUIZ_ANSWERS_INVALID', 422, 'The answers do not fit this quiz'),
  /** The lesson carries no such file: a text lesson, or a file the lesson no longer uses (links die with it). */
  lessonFileNotFound: problemType('LESSON_FILE_NOT_FOUND', 404, 'This lesson has no such file'),
  /** A lesson file link that is forged, altered or expired (ADR 0090). */
  lessonLinkInvalid: problemType(
    'LESSON_LINK_INVALID',
    403,
    'The link is not valid, or has expired: ask for a new one',
  ),
  /** No such certificate (or not the caller's), or a verification code that matches none. */
  certificateNotFound: problemType('CERTIFICATE_NOT_FOUND', 404, 'No such certificate'),
} as const;
