// blockAndFollowBetween: the two facts a profile read needs, in one query, each the same answer as the rule it
// stands for (isBlockedEitherWay, isFollower), whichever way the rows point.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { isBlockedEitherWay } from './blocks.repository.ts';
import { blockAndFollowBetween, isFollower } from './follows.repository.ts';
import { newPerson } from './follows.test-support.ts';

const testApp = useTestApp();

test('block either way and follow, as isBlockedEitherWay and isFollower answer them', async () => {
  const { sql } = testApp.current.database;
  const db = testApp.current.pool.db;
  const viewer = await newPerson(testApp.current);
  const followed = await newPerson(testApp.current);
  const blockedByViewer = await newPerson(testApp.current);
  const blockerOfViewer = await newPerson(testApp.current);
  const follower = await newPerson(testApp.current);
  const stranger = await newPerson(testApp.current);
  await sql`INSERT INTO follows (follower_id, following_id) VALUES (${viewer.id}, ${followed.id}), (${follower.id}, ${viewer.id})`;
  await sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${viewer.id}, ${blockedByViewer.id}), (${blockerOfViewer.id}, ${viewer.id})`;

  const cases: [string, string, { blockedEitherWay: boolean; viewerFollows: boolean }][] = [
    ['followed', followed.id, { blockedEitherWay: false, viewerFollows: true }],
    ['blocked by the viewer', blockedByViewer.id, { blockedEitherWay: true, viewerFollows: false }],
    ['blocker of the viewer', blockerOfViewer.id, { blockedEitherWay: true, viewerFollows: false }],
    ['a follower of the viewer (the other way)', follower.id, { blockedEitherWay: false, viewerFollows: false }],
    ['a stranger', stranger.id, { blockedEitherWay: false, viewerFollows: false }],
    ['the viewer themselves', viewer.id, { blockedEitherWay: false, viewerFollows: false }],
  ];
  for (const [name, otherId, expected] of cases) {
    assert.deepEqual(await blockAndFollowBetween(db, viewer.id, otherId), expected, name);
    assert.equal(await isBlockedEitherWay(db, viewer.id, otherId), expected.blockedEitherWay, name);
    assert.equal(await isFollower(db, viewer.id, otherId), expected.viewerFollows, name);
  }
});
