// The quiz question format (issue 17 §3, ADR 0082): what `quizzes.questions` holds, validated on the way in by the
// TypeBox schemas below (the API contract) and by `questionProblems` (what a schema cannot say: unique ids, answers
// that name existing options). Grading is here too, pure, so that it is tested as a table of cases.
//
// Four types, one point each:
// - single_choice:   options [{id, label}], correct_option_id; the answer is one option id.
// - multiple_choice: options, correct_option_ids (at least one); the answer is the exact set of option ids.
// - numeric:         answer (a number) and tolerance (>= 0); the answer is a number within answer ± tolerance.
// - ordering:        items [{id, label}], correct_order (every item id once); the answer is the item ids in order.
//
// A learner never receives correct_option_id(s), answer, tolerance, correct_order or explanation before submitting:
// `learnerQuestion` is the only view of a question an attempt shows, and it shuffles ordering items per attempt.
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { ProblemField } from '../../platform/http/problem.ts';
import { TEXT_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;
const Id = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$', description: 'Stable id' });
const Prompt = Type.String({ minLength: 1, maxLength: 2000, pattern: TEXT_PATTERN });
const Label = Type.String({ minLength: 1, maxLength: 500, pattern: TEXT_PATTERN });
const Explanation = Type.String({ minLength: 1, maxLength: 2000, pattern: TEXT_PATTERN });
const Choice = Type.Object({ id: Id, label: Label }, closed);
const Choices = Type.Array(Choice, { minItems: 2, maxItems: 20 });

export const SingleChoiceQuestion = Type.Object(
  {
    id: Id,
    type: Type.Literal('single_choice'),
    prompt: Prompt,
    options: Choices,
    correct_option_id: Id,
    explanation: Type.Optional(Explanation),
  },
  { ...closed, description: 'One correct option' },
);
export const MultipleChoiceQuestion = Type.Object(
  {
    id: Id,
    type: Type.Literal('multiple_choice'),
    prompt: Prompt,
    options: Choices,
    correct_option_ids: Type.Array(Id, { minItems: 1, maxItems: 20, uniqueItems: true }),
    explanation: Type.Optional(Explanation),
  },
  { ...closed, description: 'Every correct option and no other' },
);
export const NumericQuestion = Type.Object(
  {
    id: Id,
    type: Type.Literal('numeric'),
    prompt: Prompt,
    answer: Type.Number({ minimum: -1e12, maximum: 1e12 }),
    tolerance: Type.Number({ minimum: 0, maximum: 1e12, description: 'Accepted: answer ± tolerance (0: exact)' }),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 20, pattern: TEXT_PATTERN })),
    explanation: Type.Optional(Explanation),
  },
  { ...closed, description: 'A number, within the tolerance' },
);
export const OrderingQuestion = Type.Object(
  {
    id: Id,
    type: Type.Literal('ordering'),
    prompt: Prompt,
    items: Choices,
    correct_order: Type.Array(Id, { minItems: 2, maxItems: 20, uniqueItems: true }),
    explanation: Type.Optional(Explanation),
  },
  { ...closed, description: 'Every item, in the right order' },
);

export const QuestionSchema = Type.Union(
  [SingleChoiceQuestion, MultipleChoiceQuestion, NumericQuestion, OrderingQuestion],
  { description: 'A question with its answer key (ADR 0082)' },
);
export type Question = Static<typeof QuestionSchema>;
export const QuestionsSchema = Type.Array(QuestionSchema, { maxItems: 100, description: 'Up to 100 questions' });

/** A question as a learner sees it during an attempt: no answer key, no explanation. */
export const LearnerQuestionSchema = Type.Object(
  {
    id: Id,
    type: Type.Union([
      Type.Literal('single_choice'),
      Type.Literal('multiple_choice'),
      Type.Literal('numeric'),
      Type.Literal('ordering'),
    ]),
    prompt: Type.String(),
    options: Type.Optional(Type.Array(Choice, { description: 'single_choice, multiple_choice' })),
    items: Type.Optional(Type.Array(Choice, { description: 'ordering: shuffled for this attempt' })),
    unit: Type.Optional(Type.String()),
  },
  closed,
);
export type LearnerQuestion = Static<typeof LearnerQuestionSchema>;

/** One answer: an option id (single_choice), option ids (multiple_choice, ordering) or a number (numeric). */
export const AnswerSchema = Type.Union([
  Id,
  Type.Array(Id, { maxItems: 20 }),
  Type.Number({ minimum: -1e12, maximum: 1e12 }),
]);
export type Answer = Static<typeof AnswerSchema>;
export const AnswersSchema = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }), AnswerSchema, {
  maxProperties: 100,
  description: 'Question id -> answer; every key must be a question of this quiz',
});
export type Answers = Static<typeof AnswersSchema>;

const duplicates = (ids: readonly string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

/** What the schema cannot check: ids unique, answer keys naming existing options/items. Empty when valid. */
export function questionProblems(questions: readonly Question[], field = 'body.questions'): ProblemField[] {
  const problems: ProblemField[] = [];
  const add = (path: string, rule: string, message: string) => problems.push({ field: path, rule, message });
  for (const id of new Set(duplicates(questions.map((q) => q.id))))
    add(field, 'uniqueQuestionIds', `question id ${id} is used twice`);
  questions.forEach((question, index) => {
    const at = `${field}/${index}`;
    switch (question.type) {
      case 'single_choice':
      case 'multiple_choice': {
        const ids = question.options.map((o) => o.id);
        if (duplicates(ids).length > 0) add(`${at}/options`, 'uniqueOptionIds', 'option ids must be unique');
        const correct = question.type === 'single_choice' ? [question.correct_option_id] : question.correct_option_ids;
        const key = question.type === 'single_choice' ? 'correct_option_id' : 'correct_option_ids';
        if (correct.some((id) => !ids.includes(id))) add(`${at}/${key}`, 'knownOption', 'must name options listed');
        break;
      }
      case 'ordering': {
        const ids = question.items.map((o) => o.id);
        if (duplicates(ids).length > 0) add(`${at}/items`, 'uniqueItemIds', 'item ids must be unique');
        const permutation =
          question.correct_order.length === ids.length && question.correct_order.every((id) => ids.includes(id));
        if (!permutation) add(`${at}/correct_order`, 'permutation', 'must name every item exactly once');
        break;
      }
      case 'numeric':
        break;
    }
  });
  return problems;
}

/** A stable shuffle keyed by `seed`: the same attempt always shows the same order, another attempt another. */
function shuffled<T extends { id: string }>(items: readonly T[], seed: string): T[] {
  const rank = (item: T) => createHash('sha256').update(`${seed}:${item.id}`).digest('hex');
  return [...items].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
}

/** The question without its answer key; ordering items shuffled for `attemptId`. */
export function learnerQuestion(question: Question, attemptId: string): LearnerQuestion {
  const base = { id: question.id, type: question.type, prompt: question.prompt };
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
      return { ...base, options: question.options.map(({ id, label }) => ({ id, label })) };
    case 'numeric':
      return question.unit === undefined ? base : { ...base, unit: question.unit };
    case 'ordering':
      return { ...base, items: shuffled(question.items, `${attemptId}:${question.id}`) };
  }
}

/**
 * What is wrong with a submission's answers for these questions: a key that is no question of the quiz (answers to
 * another quiz), an answer of the wrong shape for its question, an option or item that is not offered. Empty when
 * the answers may be graded; an unanswered question is allowed (and counts as wrong).
 */
export function answerProblems(questions: readonly Question[], answers: Answers): ProblemField[] {
  const problems: ProblemField[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const [key, answer] of Object.entries(answers)) {
    const field = `body.answers.${key}`;
    const question = byId.get(key);
    if (!question) {
      problems.push({ field, rule: 'knownQuestion', message: 'is not a question of this quiz' });
      continue;
    }
    const offered = (question.type === 'ordering' ? question.items : 'options' in question ? question.options : []).map(
      (o) => o.id,
    );
    const wrongShape = (expected: string) =>
      problems.push({ field, rule: 'answerType', message: `must be ${expected}` });
    switch (question.type) {
      case 'single_choice':
        if (typeof answer !== 'string') wrongShape('one option id');
        else if (!offered.includes(answer))
          problems.push({ field, rule: 'knownOption', message: 'is not an option of this question' });
        break;
      case 'multiple_choice':
      case 'ordering':
        if (!Array.isArray(answer)) wrongShape('a list of ids');
        else if (answer.some((id) => !offered.includes(id)) || duplicates(answer).length > 0)
          problems.push({ field, rule: 'knownOption', message: 'must name offered ids, each at most once' });
        break;
      case 'numeric':
        if (typeof answer !== 'number') wrongShape('a number');
        break;
    }
  }
  return problems;
}

/** Whether one answer is right. */
export function isCorrect(question: Question, answer: Answer | undefined): boolean {
  if (answer === undefined) return false;
  switch (question.type) {
    case 'single_choice':
      return answer === question.correct_option_id;
    case 'multiple_choice': {
      if (!Array.isArray(answer)) return false;
      const chosen = new Set(answer);
      return (
        chosen.size === question.correct_option_ids.length && question.correct_option_ids.every((id) => chosen.has(id))
      );
    }
    case 'numeric':
      // A hair of slack for binary floats: 0.1 + 0.2 within tolerance 0.3 of 0 is the author's intent.
      return typeof answer === 'number' && Math.abs(answer - question.answer) <= question.tolerance + 1e-9;
    case 'ordering':
      return (
        Array.isArray(answer) &&
        answer.length === question.correct_order.length &&
        answer.every((id, i) => id === question.correct_order[i])
      );
  }
}

/** The score, 0–100 (rounded down, so a pass is never rounded into being), and which questions were right. */
export function grade(questions: readonly Question[], answers: Answers): { score: number; correct: string[] } {
  if (questions.length === 0) return { score: 100, correct: [] };
  const correct = questions.filter((q) => isCorrect(q, answers[q.id])).map((q) => q.id);
  return { score: Math.floor((100 * correct.length) / questions.length), correct };
}
