import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { filesPolicy, scanStanding, type FileSubject } from './files.policy.ts';

const OWNER = '11111111-1111-4111-8111-111111111111';
const owner: Caller = { userId: OWNER, role: 'user' };
const stranger: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };

const clean: FileSubject = {
  user_id: OWNER,
  is_public: false,
  deleted_at: null,
  virus_scanned: true,
  virus_scan_result: 'clean',
};
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);
const dev = { production: false };
const prod = { production: true };

test('who reads a file', () => {
  const cases: [
    string,
    Caller | null,
    Partial<FileSubject>,
    { production: boolean; grants?: string[]; openGrants?: string[] },
    string,
  ][] = [
    ['its owner reads a private file', owner, {}, prod, 'allow'],
    ['a private file is hidden from others', stranger, {}, prod, 'hidden'],
    ['… from staff', admin, {}, prod, 'hidden'],
    ['… and from anonymous callers, as if missing', null, {}, prod, 'hidden'],
    [
      'a grant of another module admits a signed-in caller',
      stranger,
      {},
      { production: true, grants: ['purchase'] },
      'allow',
    ],
    ['a grant never admits an anonymous caller', null, {}, { production: true, grants: ['purchase'] }, 'hidden'],
    ['an open grant admits an anonymous caller', null, {}, { production: true, openGrants: ['track'] }, 'allow'],
    [
      '… but never to a quarantined file',
      null,
      { virus_scan_result: 'infected' },
      { production: false, openGrants: ['track'] },
      'hidden',
    ],
    [
      '… nor to an unscanned one in production',
      stranger,
      { virus_scanned: false, virus_scan_result: null },
      { production: true, openGrants: ['track'] },
      'hidden',
    ],
    [
      '… nor to a deleted one',
      null,
      { deleted_at: new Date(0) },
      { production: false, openGrants: ['track'] },
      'hidden',
    ],
    ['anyone reads a public clean file', null, { is_public: true }, prod, 'allow'],
    ['a deleted file exists for nobody', owner, { deleted_at: new Date(0) }, dev, 'hidden'],
    [
      'a quarantined file is refused to its owner, who learns why',
      owner,
      { virus_scan_result: 'infected' },
      dev,
      'forbidden',
    ],
    [
      '… and does not exist for others, public or not',
      stranger,
      { is_public: true, virus_scan_result: 'infected' },
      dev,
      'hidden',
    ],
    [
      'an unscanned public file is served to others outside production',
      null,
      { is_public: true, virus_scanned: false, virus_scan_result: null },
      dev,
      'allow',
    ],
    [
      '… but not in production',
      null,
      { is_public: true, virus_scanned: false, virus_scan_result: null },
      prod,
      'hidden',
    ],
    [
      '… nor when no scanner is installed',
      stranger,
      { is_public: true, virus_scan_result: 'unscanned' },
      prod,
      'hidden',
    ],
    [
      'its owner reads an unscanned file in production',
      owner,
      { virus_scanned: false, virus_scan_result: null },
      prod,
      'allow',
    ],
  ];
  for (const [name, caller, change, context, expected] of cases)
    assert.equal(answer(filesPolicy.mayRead(caller, { ...clean, ...change }, context)), expected, name);
  assert.equal(answer(filesPolicy.mayRead(owner, null, dev)), 'hidden', 'a missing file');
});

test('who manages and deletes a file', () => {
  const cases: [string, Caller | null, Partial<FileSubject> | null, string][] = [
    ['the owner', owner, {}, 'allow'],
    ['the owner of a quarantined file (deleting is how it goes)', owner, { virus_scan_result: 'infected' }, 'allow'],
    ['another user, even of a public file', stranger, { is_public: true }, 'hidden'],
    ['staff', admin, {}, 'hidden'],
    ['nobody signed in', null, {}, 'unauthenticated'],
    ['an already deleted file', owner, { deleted_at: new Date(0) }, 'hidden'],
    ['a missing file', owner, null, 'hidden'],
  ];
  for (const [name, caller, change, expected] of cases) {
    const file = change === null ? null : { ...clean, ...change };
    assert.equal(answer(filesPolicy.mayManage(caller, file)), expected, name);
    assert.equal(answer(filesPolicy.mayDelete(caller, file)), expected, name);
  }
});

test('scan standing from the scan columns', () => {
  assert.equal(scanStanding({ virus_scanned: true, virus_scan_result: 'clean' }), 'clean');
  assert.equal(scanStanding({ virus_scanned: true, virus_scan_result: 'infected' }), 'quarantined');
  assert.equal(
    scanStanding({ virus_scanned: true, virus_scan_result: 'INFECTED:Eicar-Test-Signature' }),
    'quarantined',
  );
  assert.equal(scanStanding({ virus_scanned: false, virus_scan_result: 'clean' }), 'unscanned');
  assert.equal(scanStanding({ virus_scanned: false, virus_scan_result: null }), 'unscanned');
  assert.equal(scanStanding({ virus_scanned: true, virus_scan_result: 'unscanned' }), 'unscanned');
});
