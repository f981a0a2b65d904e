// Grading and validation of quiz questions (ADR 0082) as tables of cases: pure functions, no database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answerProblems,
  grade,
  isCorrect,
  learnerQuestion,
  questionProblems,
  type Question,
} from './quiz.questions.ts';
import { QUESTIONS } from './education.test-support.ts';

const questions = QUESTIONS as Question[];
const byId = (id: string) => questions.find((q) => q.id === id)!;

test('isCorrect: each type, right and wrong', () => {
  const cases: [string, unknown, boolean][] = [
    ['gain', 'a', true],
    ['gain', 'b', false],
    ['gain', ['a'], false],
    ['dynamics', ['gate', 'comp'], true],
    ['dynamics', ['comp'], false],
    ['dynamics', ['comp', 'gate', 'eq'], false],
    ['dynamics', ['comp', 'comp'], false],
    ['headroom', -6, true],
    ['headroom', -5, true],
    ['headroom', -7, true],
    ['headroom', -7.01, false],
    ['headroom', '-6', false],
    ['chain', ['mic', 'pre', 'adc'], true],
    ['chain', ['pre', 'mic', 'adc'], false],
    ['chain', ['mic', 'pre'], false],
    ['gain', undefined, false],
  ];
  for (const [id, answer, expected] of cases)
    assert.equal(isCorrect(byId(id), answer as never), expected, `${id} ${JSON.stringify(answer)}`);
});

test('grade: floor of the share right; an empty quiz scores 100', () => {
  assert.deepEqual(grade(questions, { gain: 'a' }), { score: 25, correct: ['gain'] });
  assert.equal(grade(questions.slice(0, 3), { gain: 'a', headroom: -6 }).score, 66, '2/3 rounds down');
  assert.equal(grade([], {}).score, 100);
});

test('answerProblems: unknown questions, wrong shapes, options not offered, duplicates', () => {
  const rules = (answers: Record<string, unknown>) => answerProblems(questions, answers as never).map((p) => p.rule);
  assert.deepEqual(rules({ gain: 'a' }), []);
  assert.deepEqual(rules({ other: 'a' }), ['knownQuestion']);
  assert.deepEqual(rules({ gain: ['a'] }), ['answerType']);
  assert.deepEqual(rules({ gain: 'zz' }), ['knownOption']);
  assert.deepEqual(rules({ chain: ['mic', 'mic', 'adc'] }), ['knownOption']);
  assert.deepEqual(rules({ headroom: 'six' }), ['answerType']);
});

test('questionProblems: duplicate ids, keys naming nothing, orders that are not permutations', () => {
  const problems = questionProblems([
    { ...byId('gain'), correct_option_id: 'nope' } as Question,
    { ...byId('gain') },
    { ...byId('chain'), correct_order: ['mic', 'pre'] } as Question,
    {
      ...byId('dynamics'),
      options: [
        { id: 'x', label: 'X' },
        { id: 'x', label: 'Y' },
      ],
      correct_option_ids: ['x'],
    } as Question,
  ]);
  assert.deepEqual(
    problems.map((p) => `${p.field} ${p.rule}`),
    [
      'body.questions uniqueQuestionIds',
      'body.questions/0/correct_option_id knownOption',
      'body.questions/2/correct_order permutation',
      'body.questions/3/options uniqueOptionIds',
    ],
  );
  assert.deepEqual(questionProblems(questions), []);
});

test('learnerQuestion: no answer key; ordering shuffled per attempt, stable within one', () => {
  for (const question of questions) {
    const shown = JSON.stringify(learnerQuestion(question, 'attempt-1'));
    for (const key of [
      'correct_option_id',
      'correct_option_ids',
      'correct_order',
      'answer',
      'tolerance',
      'explanation',
    ])
      assert.ok(!shown.includes(`"${key}"`), `${question.id} shows ${key}`);
  }
  const orders = new Set(
    Array.from({ length: 20 }, (_, i) => JSON.stringify(learnerQuestion(byId('chain'), `attempt-${i}`).items)),
  );
  assert.ok(orders.size > 1, 'different attempts see different orders');
  assert.deepEqual(learnerQuestion(byId('chain'), 'a'), learnerQuestion(byId('chain'), 'a'));
});
