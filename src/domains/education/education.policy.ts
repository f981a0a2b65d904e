// Who may see, build, study and grade a course (issue 17 §1-5; ADRs 0081, 0083): one answer for every route. Pure:
// the caller, the course row and the caller's enrolment (if any) are passed in.
//
// A published or archived course is seen by anyone when public or unlisted, by its creator and its learners when
// private. A draft is its creator's alone; a deleted course is seen only by those enrolled in it (they keep what they
// enrolled in, ADR 0081). To anyone else a course they may not see does not exist (404 COURSE_NOT_FOUND, never 403).
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

export type CourseStatus = 'draft' | 'published' | 'archived';

/** What a rule needs to know of a `courses` row. */
export interface CourseSubject {
  creator_id: string;
  status: string;
  visibility: 'public' | 'unlisted' | 'private';
  deleted_at: Date | null;
}

/** What a rule needs to know of the caller's enrolment in the course. */
export interface EnrolmentSubject {
  status: string;
}

const HIDDEN = 'No such course';

const isCreator = (caller: Caller | null, course: CourseSubject) =>
  caller !== null && caller.userId === course.creator_id;

/** Enrolled and not cancelled: the learner may study the course. */
export const isLearner = (enrolment: EnrolmentSubject | null | undefined): boolean =>
  enrolment !== null && enrolment !== undefined && enrolment.status !== 'cancelled';

/** The course page: title, description, the list of lessons (their content is `mayOpenLesson`'s). */
export function mayView(
  caller: Caller | null,
  course: CourseSubject | null | undefined,
  enrolment?: EnrolmentSubject | null,
): Decision {
  if (!course) return deny('hidden', HIDDEN);
  if (isLearner(enrolment)) return ALLOW;
  if (course.deleted_at !== null) return deny('hidden', HIDDEN);
  if (isCreator(caller, course)) return ALLOW;
  if (course.status === 'draft' || course.visibility === 'private') return deny('hidden', HIDDEN);
  return ALLOW;
}

/**
 * Editing the course, its lessons and quizzes, publishing, archiving, deleting, and its statistics: the creator
 * only. Others who may see the course are told 403; those who may not are told it does not exist.
 */
export function mayManage(
  caller: Caller | null,
  course: CourseSubject | null | undefined,
  enrolment?: EnrolmentSubject | null,
): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to manage your courses');
  if (course && course.deleted_at === null && isCreator(caller, course)) return ALLOW;
  const view = mayView(caller, course, enrolment);
  return view.allowed ? deny('forbidden', 'Only the creator manages this course') : view;
}

/** Enrolling: a signed-in caller who may see the course (whether it is open is the service's rule). */
export function mayEnrol(caller: Caller | null, course: CourseSubject | null | undefined): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to enrol');
  return mayView(caller, course);
}

/**
 * Studying: lesson progress, quiz attempts, one's certificate. Enrolled (not cancelled) learners only; others who
 * may see the course are told 403 (NOT_ENROLLED, the service's problem), the rest that it does not exist.
 */
export function mayStudy(
  caller: Caller | null,
  course: CourseSubject | null | undefined,
  enrolment: EnrolmentSubject | null | undefined,
): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to study');
  const view = mayView(caller, course, enrolment);
  if (!view.allowed) return view;
  return isLearner(enrolment) ? ALLOW : deny('forbidden', 'Enrol in the course first');
}

/** A lesson's content (text, files): the creator, an enrolled learner, or anyone who may see it if a free preview. */
export function mayOpenLesson(
  caller: Caller | null,
  course: CourseSubject | null | undefined,
  enrolment: EnrolmentSubject | null | undefined,
  lesson: { is_preview: boolean; status: string },
): Decision {
  const view = mayView(caller, course, enrolment);
  if (!view.allowed) return view;
  if (course && course.deleted_at === null && isCreator(caller, course)) return ALLOW;
  if (lesson.status !== 'published') return deny('hidden', 'No such lesson in this course');
  if (isLearner(enrolment) || lesson.is_preview) return ALLOW;
  return caller ? deny('forbidden', 'Enrol in the course first') : deny('unauthenticated', 'Sign in and enrol');
}

/**
 * Revoking a certificate of the course (ADR 0090): its creator, as for managing it, or an admin on any course
 * (a deleted one too: its certificates still verify).
 */
export function mayRevokeCertificates(
  caller: Caller | null,
  course: CourseSubject | null | undefined,
  enrolment?: EnrolmentSubject | null,
): Decision {
  if (caller?.role === 'admin' && course) return ALLOW;
  return mayManage(caller, course, enrolment);
}
