// The contract of follows and follow requests (issue 15 §1, ADR 0060): TypeBox schemas = the OpenAPI document of
// the `social-graph` routes.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });

export const TargetUserParams = Type.Object(
  { user_id: Type.String({ format: 'uuid', description: 'The other account' }) },
  closed,
);

/** Same pattern and length as the profiles domain's UsernameParams. */
export const ConnectionsParams = Type.Object(
  { username: Type.String({ pattern: '^[A-Za-z0-9_]{3,30}$', description: 'users.username' }) },
  closed,
);

export const PersonSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  display_name: Type.Union([Type.String(), Type.Null()]),
});
export type Person = Static<typeof PersonSchema>;

export const FollowStateSchema = Type.Object({
  status: Type.Union([Type.Literal('following'), Type.Literal('requested')], {
    description:
      '`following`: you follow them (public and unlisted profiles, or a request they accepted); `requested`: ' +
      'their profile is private and your request waits for their answer',
  }),
});
export type FollowState = Static<typeof FollowStateSchema>;

export const ConnectionSchema = Type.Object({
  user: PersonSchema,
  followed_at: Timestamp,
});
export type Connection = Static<typeof ConnectionSchema>;
export const ConnectionPageSchema = PageSchema(ConnectionSchema);

export const FollowRequestSchema = Type.Object({
  user: PersonSchema,
  requested_at: Timestamp,
});
export type FollowRequest = Static<typeof FollowRequestSchema>;
export const FollowRequestPageSchema = PageSchema(FollowRequestSchema);
