// The catalogue's policy as a table (ADR 0068): who may view, manage, moderate and favourite a product, by status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller } from '../../platform/policy/policy.ts';
import {
  mayFavorite,
  mayManage,
  mayModerate,
  maySeeDownloads,
  mayView,
  type ProductSubject,
} from './products.policy.ts';
import type { ProductStatus } from './products.schemas.ts';

const seller: Caller = { userId: '11111111-1111-4111-8111-111111111111', role: 'creator' };
const buyer: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const moderator: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'moderator' };
const admin: Caller = { userId: '44444444-4444-4444-8444-444444444444', role: 'admin' };
const callers = { anonymous: null, seller, buyer, moderator, admin } as const;
type Who = keyof typeof callers;

const product = (status: ProductStatus, deleted = false): ProductSubject => ({
  seller_id: seller.userId,
  status,
  deleted_at: deleted ? new Date() : null,
});

const answer = (decision: ReturnType<typeof mayView>) => (decision.allowed ? 'allow' : decision.denial);

// [status, deleted, who, view, manage, moderate, favorite]
const table: [ProductStatus, boolean, Who, string, string, string, string][] = [
  ['active', false, 'anonymous', 'allow', 'unauthenticated', 'unauthenticated', 'unauthenticated'],
  ['active', false, 'buyer', 'allow', 'forbidden', 'forbidden', 'allow'],
  ['active', false, 'seller', 'allow', 'allow', 'forbidden', 'allow'],
  ['active', false, 'moderator', 'allow', 'forbidden', 'allow', 'allow'],
  ['active', false, 'admin', 'allow', 'forbidden', 'allow', 'allow'],
  ['draft', false, 'anonymous', 'hidden', 'unauthenticated', 'unauthenticated', 'unauthenticated'],
  ['draft', false, 'buyer', 'hidden', 'hidden', 'hidden', 'hidden'],
  ['draft', false, 'seller', 'allow', 'allow', 'forbidden', 'allow'],
  ['draft', false, 'moderator', 'allow', 'forbidden', 'allow', 'allow'],
  ['inactive', false, 'buyer', 'hidden', 'hidden', 'hidden', 'hidden'],
  ['inactive', false, 'seller', 'allow', 'allow', 'forbidden', 'allow'],
  ['suspended', false, 'buyer', 'hidden', 'hidden', 'hidden', 'hidden'],
  ['suspended', false, 'seller', 'allow', 'allow', 'forbidden', 'allow'],
  ['suspended', false, 'admin', 'allow', 'forbidden', 'allow', 'allow'],
  ['active', true, 'anonymous', 'hidden', 'unauthenticated', 'unauthenticated', 'unauthenticated'],
  ['active', true, 'buyer', 'hidden', 'hidden', 'hidden', 'hidden'],
  ['active', true, 'seller', 'hidden', 'hidden', 'hidden', 'hidden'],
  ['active', true, 'moderator', 'hidden', 'hidden', 'hidden', 'hidden'],
];

test('the product policy, case by case', () => {
  for (const [status, deleted, who, view, manage, moderate, favorite] of table) {
    const caller = callers[who];
    const subject = product(status, deleted);
    const label = `${status}${deleted ? ' (deleted)' : ''} / ${who}`;
    assert.deepEqual(
      [
        answer(mayView(caller, subject)),
        answer(mayManage(caller, subject)),
        answer(mayModerate(caller, subject)),
        answer(mayFavorite(caller, subject)),
      ],
      [view, manage, moderate, favorite],
      label,
    );
  }
});

test('a missing product is hidden to everyone signed in; download files are the seller’s to see', () => {
  for (const caller of [buyer, seller, moderator]) {
    assert.equal(answer(mayView(caller, undefined)), 'hidden');
    assert.equal(answer(mayManage(caller, undefined)), 'hidden');
    assert.equal(answer(mayModerate(caller, null)), 'hidden');
  }
  assert.equal(maySeeDownloads(seller, product('active')), true);
  for (const caller of [null, buyer, moderator, admin]) assert.equal(maySeeDownloads(caller, product('active')), false);
});
