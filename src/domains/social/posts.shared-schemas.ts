// Schema parts shared by the posts and comments contracts (kept apart so that neither file imports the other's
// constants while it is being evaluated).
import { Type } from 'typebox';

/** Control characters (PostgreSQL text refuses NUL) and bidirectional overrides; newlines and tabs are fine. */
const CONTROL = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
/** Something other than spaces, and no control character (the rule of chat messages, messages.schemas.ts). */
export const TEXT_PATTERN = `^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`;

export const AuthorSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  display_name: Type.Union([Type.String(), Type.Null()]),
});
