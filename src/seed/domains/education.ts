// Education (spec §11): courses of the educators, their lessons and quizzes, enrollments with lesson progress,
// quiz attempts and completion certificates. No points, streaks or rankings (spec §17.3).
import { pgArray, type Row } from '../copy-text.ts';
import { distinctPicks } from '../pick.ts';
import { hexFor } from '../random.ts';
import { copyTable, type SeedTable } from '../table.ts';
import { DAY_MS, HOUR_MS, iso, MINUTE_MS } from '../timeline.ts';
import { Fanout, streams, Timed, type Universe } from '../universe.ts';
import { COURSE_TOPICS, paragraph, sentence, slugify } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, userCreated, userId, users } from './auth.ts';
import { lessonFileId, personalFileId } from './files.ts';

const S = streams(
  'courses',
  'courses.id',
  'courses.attr',
  'courses.row',
  'lessons',
  'lessons.id',
  'lessons.attr',
  'quizzes',
  'quizzes.id',
  'course_enrollments',
  'course_enrollments.id',
  'course_enrollments.attr',
  'lesson_progress.id',
  'quiz_attempts.id',
  'certificates.id',
  'certificates.code',
);

export const LESSON_TYPES = ['video', 'audio', 'text'] as const;
const COURSE_STATUSES = ['draft', 'published', 'archived'] as const;
const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;

export interface Courses {
  count: number;
  creator: Int32Array;
  timed: Timed;
  status: Uint8Array;
  deleted: Uint8Array;
  priceCents: Int32Array;
  lessons: {
    count: number;
    fanout: Fanout;
    course: Int32Array;
    created: Float64Array;
    type: Uint8Array;
    /** Seconds, 0 for text lessons (stored NULL). */
    duration: Uint16Array;
  };
  /** Quizzes of course c are [quizzes.start[c], quizzes.start[c + 1]); quizLesson is -1 for a course-level quiz. */
  quizzes: Fanout;
  quizLesson: Int32Array;
}

export function courses(u: Universe): Courses {
  return u.cached('courses', () => {
    const educators = users(u).educators;
    const perEducator = Fanout.of(u, S.courses, educators.length, (_, rng) =>
      Math.max(1, rng.exponentialCount(VOLUMES.coursesPerEducator, 10)),
    );
    const count = perEducator.total;
    const creator = new Int32Array(count);
    const created = new Float64Array(count);
    const status = new Uint8Array(count);
    const deleted = new Uint8Array(count);
    const priceCents = new Int32Array(count);
    const rng = u.rng();
    for (let e = 0; e < educators.length; e++) {
      for (let c = perEducator.start[e] as number; c < (perEducator.start[e + 1] as number); c++) {
        rng.reset(S['courses.attr'], c);
        creator[c] = educators[e] as number;
        created[c] = u.time.after(userCreated(u, educators[e] as number), rng.next() * 0.8);
        const state = rng.next();
        // the first course is published, so that there is always one to enroll in
        status[c] = c === 0 || state < 0.75 ? 1 : state < 0.9 ? 0 : 2;
        deleted[c] = c > 0 && rng.chance(0.01) ? 1 : 0;
        priceCents[c] = rng.chance(0.3) ? 0 : rng.between(10, 150) * 100 - 1;
      }
    }
    const lessonFanout = Fanout.of(u, S.lessons, count, (_, r) =>
      Math.max(3, r.exponentialCount(VOLUMES.lessonsPerCourse, 40)),
    );
    const lessonCount = lessonFanout.total;
    const lessonCourse = new Int32Array(lessonCount);
    const lessonCreated = new Float64Array(lessonCount);
    const lessonType = new Uint8Array(lessonCount);
    const lessonDuration = new Uint16Array(lessonCount);
    const quizCounts = new Uint32Array(count);
    const quizLessons: number[] = [];
    for (let c = 0; c < count; c++) {
      const quizzesBefore = quizLessons.length;
      const courseQuiz = c === 0 || u.unit(S.quizzes, c) < VOLUMES.courseQuizShare;
      if (courseQuiz) quizLessons.push(-1);
      for (let l = lessonFanout.start[c] as number; l < (lessonFanout.start[c + 1] as number); l++) {
        rng.reset(S['lessons.attr'], l);
        lessonCourse[l] = c;
        lessonCreated[l] = (created[c] as number) + (l - (lessonFanout.start[c] as number)) * HOUR_MS;
        const kind = rng.next();
        lessonType[l] = kind < 0.6 ? 0 : kind < 0.8 ? 1 : 2;
        lessonDuration[l] = lessonType[l] === 2 ? 0 : rng.between(120, 2400);
        if (rng.chance(VOLUMES.lessonQuizShare)) quizLessons.push(l);
      }
      quizCounts[c] = quizLessons.length - quizzesBefore;
    }
    return {
      count,
      creator,
      timed: new Timed(created),
      status,
      deleted,
      priceCents,
      lessons: {
        count: lessonCount,
        fanout: lessonFanout,
        course: lessonCourse,
        created: lessonCreated,
        type: lessonType,
        duration: lessonDuration,
      },
      quizzes: new Fanout(quizCounts),
      quizLesson: Int32Array.from(quizLessons),
    };
  });
}

export function courseId(u: Universe, course: number): string {
  return u.id(S['courses.id'], course);
}

export function courseTitle(u: Universe, course: number): string {
  const rng = u.rng().reset(S['courses.row'], course);
  return `${rng.pick(COURSE_TOPICS)}${rng.chance(0.5) ? `: ${rng.pick(['Part 1', 'Part 2', 'Masterclass', 'Crash Course', 'Workshop'])}` : ''}`;
}

function enrollable(all: Courses, course: number): boolean {
  return all.status[course] === 1 && !all.deleted[course];
}

const coursesTable = copyTable({
  name: 'courses',
  dependsOn: ['users', 'files'],
  columns: [
    'id',
    'creator_id',
    'slug',
    'title',
    'summary',
    'description',
    'language',
    'level',
    'tags',
    'cover_image_file_id',
    'visibility',
    'price',
    'currency',
    'status',
    'lesson_count',
    'total_duration_seconds',
    'enrollment_count',
    'published_at',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => courses(u).count,
  *rows(u): Iterable<Row> {
    const all = courses(u);
    const rng = u.rng();
    for (let c = 0; c < all.count; c++) {
      const name = courseTitle(u, c);
      rng.reset(S['courses.id'], c);
      const created = all.timed.created[c] as number;
      const published = all.status[c] !== 0 ? created + DAY_MS : NaN;
      const deletedAt = all.deleted[c] ? u.time.after(created, 0.9) : NaN;
      yield [
        courseId(u, c),
        userId(u, all.creator[c] as number),
        `${slugify(name)}-${c}`,
        name,
        sentence(rng, 8, 16),
        paragraph(rng, rng.between(3, 6)),
        rng.pick(['en', 'en', 'fr', 'de', 'es']),
        rng.pick(LEVELS),
        pgArray([slugify(name).split('-')[0] as string, rng.pick(['production', 'theory', 'mixing', 'performance'])]),
        rng.chance(0.7) ? personalFileId(u, all.creator[c] as number, 1) : null,
        rng.chance(0.9) ? 'public' : 'unlisted',
        ((all.priceCents[c] as number) / 100).toFixed(2),
        'USD',
        COURSE_STATUSES[all.status[c] as number] as string,
        // lesson_count, total_duration_seconds and enrollment_count are computed after the load (counters.ts)
        0,
        0,
        0,
        Number.isNaN(published) ? null : iso(Math.min(published, u.time.anchor - 1000)),
        iso(created),
        iso(Number.isNaN(deletedAt) ? created : deletedAt),
        Number.isNaN(deletedAt) ? null : iso(deletedAt),
      ];
    }
  },
});

const lessonsTable = copyTable({
  name: 'lessons',
  dependsOn: ['courses', 'files'],
  columns: [
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
    'duration_seconds',
    'is_preview',
    'status',
    'published_at',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => courses(u).lessons.count,
  *rows(u): Iterable<Row> {
    const all = courses(u);
    const lessons = all.lessons;
    const rng = u.rng();
    for (let l = 0; l < lessons.count; l++) {
      rng.reset(S['lessons.id'], l);
      const course = lessons.course[l] as number;
      const position = l - (lessons.fanout.start[course] as number) + 1;
      const type = LESSON_TYPES[lessons.type[l] as number] as string;
      const created = Math.min(lessons.created[l] as number, u.time.anchor - 1000);
      const published = all.status[course] !== 0;
      yield [
        u.id(S['lessons.id'], l),
        courseId(u, course),
        position,
        `Section ${Math.ceil(position / 4)}`,
        `${position}. ${sentence(rng, 2, 6).replace(/[.!?]$/, '')}`,
        rng.chance(0.7) ? sentence(rng, 6, 14) : null,
        type,
        type === 'text' ? paragraph(rng, rng.between(4, 10)) : null,
        type === 'video' ? lessonFileId(u, l) : null,
        type === 'audio' ? lessonFileId(u, l) : null,
        type === 'text' ? null : (lessons.duration[l] as number),
        position === 1,
        published ? 'published' : 'draft',
        published ? iso(Math.min(created + DAY_MS, u.time.anchor - 1000)) : null,
        iso(created),
        iso(created),
        null,
      ];
    }
  },
});

const quizzesTable = copyTable({
  name: 'quizzes',
  dependsOn: ['courses', 'lessons'],
  columns: [
    'id',
    'lesson_id',
    'course_id',
    'title',
    'description',
    'questions',
    'passing_score_percentage',
    'max_attempts',
    'status',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => courses(u).quizLesson.length,
  *rows(u): Iterable<Row> {
    const all = courses(u);
    const rng = u.rng();
    for (let c = 0; c < all.count; c++) {
      for (let q = all.quizzes.start[c] as number; q < (all.quizzes.start[c + 1] as number); q++) {
        rng.reset(S['quizzes.id'], q);
        const lesson = all.quizLesson[q] as number;
        const questions = Array.from({ length: rng.between(3, 8) }, (_, n) => ({
          question: `${sentence(rng, 4, 9).replace(/[.!?]$/, '')}?`,
          choices: ['a', 'b', 'c', 'd'],
          answer: rng.pick(['a', 'b', 'c', 'd']),
          position: n + 1,
        }));
        const at = iso(Math.min((all.timed.created[c] as number) + 2 * DAY_MS, u.time.anchor - 1000));
        yield [
          u.id(S['quizzes.id'], q),
          lesson >= 0 ? u.id(S['lessons.id'], lesson) : null,
          lesson >= 0 ? null : courseId(u, c),
          lesson >= 0 ? `Lesson check ${q}` : 'Final assessment',
          rng.chance(0.5) ? sentence(rng, 6, 12) : null,
          JSON.stringify(questions),
          70,
          rng.chance(0.5) ? 3 : null,
          all.status[c] === 0 ? 'draft' : 'published',
          at,
          at,
          null,
        ];
      }
    }
  },
});

const ENROLLMENT_STATUSES = ['active', 'completed', 'cancelled'] as const;

interface Enrollments {
  fanout: Fanout;
  user: Int32Array;
  course: Int32Array;
  enrolled: Float64Array;
  status: Uint8Array;
  /** Lessons completed, in course order (the first `completed` lessons). */
  completed: Uint16Array;
  /** lesson_progress rows: the completed lessons plus the one in progress, if any. */
  progress: Fanout;
  attempts: Fanout;
}

function enrollments(u: Universe): Enrollments {
  return u.cached('course_enrollments', () => {
    const all = courses(u);
    let open = 0;
    for (let c = 0; c < all.count; c++) if (enrollable(all, c)) open++;
    const cap = Math.min(10, Math.max(1, Math.floor(open / 2)));
    const fanout = Fanout.of(u, S.course_enrollments, users(u).count, (_, rng) =>
      rng.exponentialCount(VOLUMES.enrollmentsPerUser, cap),
    );
    const total = fanout.total;
    const user = new Int32Array(total);
    const course = new Int32Array(total);
    const enrolled = new Float64Array(total);
    const status = new Uint8Array(total);
    const completed = new Uint16Array(total);
    const progressCounts = new Uint32Array(total);
    const attemptCounts = new Uint32Array(total);
    const rng = u.rng();
    for (let learner = 0; learner < fanout.counts.length; learner++) {
      const k = fanout.counts[learner] as number;
      if (k === 0) continue;
      rng.reset(S.course_enrollments, learner);
      const joined = userCreated(u, learner);
      const picks = distinctPicks(
        k,
        all.count,
        rng,
        () => all.timed.pick(u.time.after(joined, rng.next()), rng.next()),
        (c) => enrollable(all, c),
      );
      // the very first enrollment is in the first course, which has a quiz: no scale leaves quiz_attempts empty
      if ((fanout.start[learner] as number) === 0 && picks[0] !== 0) {
        const at = picks.indexOf(0);
        if (at > 0) picks[at] = picks[0] as number;
        picks[0] = 0;
      }
      for (let j = 0; j < k; j++) {
        const e = (fanout.start[learner] as number) + j;
        rng.reset(S['course_enrollments.attr'], e);
        const c = picks[j] as number;
        const lessons = all.lessons.fanout.counts[c] as number;
        user[e] = learner;
        course[e] = c;
        enrolled[e] = u.time.after(Math.max(joined, (all.timed.created[c] as number) + DAY_MS), rng.next() * 0.7);
        const state = rng.next();
        // the first enrollment is completed: no scale leaves certificates empty
        status[e] = e === 0 || (state >= 0.6 && state < 0.9) ? 1 : state < 0.6 ? 0 : 2;
        completed[e] = status[e] === 1 ? lessons : rng.int(lessons);
        progressCounts[e] = completed[e] + (status[e] === 0 && completed[e] < lessons ? 1 : 0);
        const quizzes = all.quizzes.counts[c] as number;
        attemptCounts[e] = status[e] === 1 ? quizzes * 2 : status[e] === 0 ? quizzes : 0;
      }
    }
    return {
      fanout,
      user,
      course,
      enrolled,
      status,
      completed,
      progress: new Fanout(progressCounts),
      attempts: new Fanout(attemptCounts),
    };
  });
}

function enrollmentDone(u: Universe, all: Enrollments, e: number): number {
  return u.time.after(all.enrolled[e] as number, 0.5);
}

const courseEnrollments = copyTable({
  name: 'course_enrollments',
  dependsOn: ['users', 'courses'],
  columns: [
    'id',
    'user_id',
    'course_id',
    'order_id',
    'status',
    'progress_percentage',
    'enrolled_at',
    'completed_at',
    'cancelled_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => enrollments(u).fanout.total,
  *rows(u): Iterable<Row> {
    const all = enrollments(u);
    const catalogue = courses(u);
    for (let e = 0; e < all.user.length; e++) {
      const lessons = catalogue.lessons.fanout.counts[all.course[e] as number] as number;
      const status = all.status[e] as number;
      const enrolled = all.enrolled[e] as number;
      const done = enrollmentDone(u, all, e);
      yield [
        u.id(S['course_enrollments.id'], e),
        userId(u, all.user[e] as number),
        courseId(u, all.course[e] as number),
        null,
        ENROLLMENT_STATUSES[status] as string,
        Math.round((100 * (all.completed[e] as number)) / lessons),
        iso(enrolled),
        status === 1 ? iso(done) : null,
        status === 2 ? iso(done) : null,
        iso(enrolled),
        iso(status === 0 ? enrolled : done),
      ];
    }
  },
});

const lessonProgress = copyTable({
  name: 'lesson_progress',
  dependsOn: ['course_enrollments', 'lessons'],
  columns: [
    'id',
    'enrollment_id',
    'lesson_id',
    'status',
    'last_position_seconds',
    'started_at',
    'completed_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => enrollments(u).progress.total,
  *rows(u): Iterable<Row> {
    const all = enrollments(u);
    const catalogue = courses(u);
    for (let e = 0; e < all.user.length; e++) {
      const firstLesson = catalogue.lessons.fanout.start[all.course[e] as number] as number;
      const enrolled = all.enrolled[e] as number;
      const done = enrollmentDone(u, all, e);
      const rows = all.progress.counts[e] as number;
      for (let j = 0; j < rows; j++) {
        const row = (all.progress.start[e] as number) + j;
        const lesson = firstLesson + j;
        const finished = j < (all.completed[e] as number);
        const started = enrolled + ((done - enrolled) * j) / Math.max(1, rows);
        const duration = catalogue.lessons.duration[lesson] as number;
        yield [
          u.id(S['lesson_progress.id'], row),
          u.id(S['course_enrollments.id'], e),
          u.id(S['lessons.id'], lesson),
          finished ? 'completed' : 'in_progress',
          finished ? duration : Math.floor(duration / 3),
          iso(started),
          finished ? iso(started + 30 * MINUTE_MS) : null,
          iso(started),
          iso(finished ? started + 30 * MINUTE_MS : started),
        ];
      }
    }
  },
});

const quizAttempts = copyTable({
  name: 'quiz_attempts',
  dependsOn: ['quizzes', 'course_enrollments'],
  columns: [
    'id',
    'quiz_id',
    'enrollment_id',
    'attempt_number',
    'answers',
    'score_percentage',
    'passed',
    'started_at',
    'submitted_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => enrollments(u).attempts.total,
  *rows(u): Iterable<Row> {
    const all = enrollments(u);
    const catalogue = courses(u);
    const rng = u.rng();
    for (let e = 0; e < all.user.length; e++) {
      const c = all.course[e] as number;
      const firstQuiz = catalogue.quizzes.start[c] as number;
      const quizzes = catalogue.quizzes.counts[c] as number;
      const perQuiz = quizzes === 0 ? 0 : (all.attempts.counts[e] as number) / quizzes;
      const enrolled = all.enrolled[e] as number;
      for (let j = 0; j < (all.attempts.counts[e] as number); j++) {
        const row = (all.attempts.start[e] as number) + j;
        rng.reset(S['quiz_attempts.id'], row);
        const quiz = firstQuiz + Math.floor(j / perQuiz);
        const attempt = (j % perQuiz) + 1;
        // completed enrollments: a failed first try, then a pass; active ones: one attempt, sometimes unsubmitted
        const submitted = all.status[e] === 1 || rng.chance(0.9);
        const score =
          all.status[e] === 1 ? (attempt === 1 ? rng.between(30, 69) : rng.between(70, 100)) : rng.between(20, 100);
        const started = u.time.after(enrolled, (j + rng.next()) / (all.attempts.counts[e] as number) / 2);
        const answers: Record<string, string> = {};
        for (let n = 1; n <= 5; n++) answers[String(n)] = rng.pick(['a', 'b', 'c', 'd']);
        yield [
          u.id(S['quiz_attempts.id'], row),
          u.id(S['quizzes.id'], quiz),
          u.id(S['course_enrollments.id'], e),
          attempt,
          JSON.stringify(answers),
          submitted ? score : null,
          submitted ? score >= 70 : null,
          iso(started),
          submitted ? iso(started + 10 * MINUTE_MS) : null,
          iso(started),
          iso(submitted ? started + 10 * MINUTE_MS : started),
        ];
      }
    }
  },
});

/** Completed enrollments with a certificate (uq_certificates_enrollment_id). */
function certified(u: Universe): Int32Array {
  return u.cached('certificates', () => {
    const all = enrollments(u);
    const list: number[] = [];
    for (let e = 0; e < all.user.length; e++) {
      if (all.status[e] === 1 && (e === 0 || u.unit(S['certificates.id'], e) < 0.9)) list.push(e);
    }
    return Int32Array.from(list);
  });
}

const certificates = copyTable({
  name: 'certificates',
  dependsOn: ['course_enrollments', 'files'],
  columns: [
    'id',
    'enrollment_id',
    'certificate_number',
    'verification_code',
    'recipient_name',
    'course_title',
    'pdf_file_id',
    'issued_at',
    'revoked_at',
    'revocation_reason',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => certified(u).length,
  *rows(u): Iterable<Row> {
    const list = certified(u);
    const all = enrollments(u);
    const rng = u.rng();
    for (let r = 0; r < list.length; r++) {
      const e = list[r] as number;
      rng.reset(S['certificates.id'], e);
      const learner = all.user[e] as number;
      const issued = enrollmentDone(u, all, e) + MINUTE_MS;
      const revoked = rng.chance(0.005);
      yield [
        u.id(S['certificates.id'], r),
        u.id(S['course_enrollments.id'], e),
        `VZC-${String(r).padStart(9, '0')}`,
        hexFor(u.seed, S['certificates.code'], r, 32),
        displayName(u, learner),
        courseTitle(u, all.course[e] as number),
        rng.chance(0.8) ? personalFileId(u, learner, 3) : null,
        iso(issued),
        revoked ? iso(issued + DAY_MS) : null,
        revoked ? 'Issued by mistake' : null,
        iso(issued),
        iso(revoked ? issued + DAY_MS : issued),
        null,
      ];
    }
  },
});

export const educationTables: SeedTable[] = [
  coursesTable,
  lessonsTable,
  quizzesTable,
  courseEnrollments,
  lessonProgress,
  quizAttempts,
  certificates,
];
