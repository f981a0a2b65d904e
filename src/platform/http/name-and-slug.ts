// The name, slug and search rules of the spaces people create and find by name (chat rooms, social groups): the
// same rules in both domains, so one definition.
import { Type } from 'typebox';
import { TEXT_PATTERN } from './text-patterns.ts';

/** A URL slug: runs of lower-case letters and digits joined by single dashes. */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';

/** A room's or group's name (VARCHAR(255)): not only spaces, no control character but line breaks and tabs. */
export const SpaceNameSchema = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: TEXT_PATTERN,
  description: '1 to 255 characters',
});

/** A room's or group's slug (VARCHAR(100)). */
export const SpaceSlugSchema = Type.String({
  minLength: 3,
  maxLength: 100,
  pattern: SLUG_PATTERN,
  description: 'Lower-case letters, digits and single dashes, 3 to 100 characters',
});

/** The `q` of a room or group search: matched against both the slug and the name. */
export const NameOrSlugSearchSchema = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: TEXT_PATTERN,
  description: 'Part of the slug or the name',
});
