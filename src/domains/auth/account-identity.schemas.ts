import { Type, type Static } from 'typebox';

// The same rules as registration (auth.schemas.ts, chk_users_* of migration 0002): a bad value is a 400 naming
// the field and the rule before any query runs.
const EMAIL = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';
const USERNAME = '^[a-zA-Z0-9_]{3,30}$';
const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const EmailChangeBodySchema = Type.Object(
  {
    email: Type.String({ maxLength: 255, pattern: EMAIL, description: 'The new address; stored in lower case' }),
    current_password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description:
          'Your password: required when the account has one (a stolen access token alone cannot move the account)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EmailChangeAcceptedSchema = Type.Object(
  {
    status: Type.Literal('accepted'),
    expires_in_hours: Type.Integer({ description: 'How long the link mailed to the new address works' }),
  },
  { description: 'A link was mailed to the new address; nothing changes until it is followed' },
);

export const UsernameChangeBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 30, pattern: USERNAME, description: 'Letters, digits, _' }),
  },
  { additionalProperties: false },
);

export const UsernameStateSchema = Type.Object(
  {
    username: Type.String(),
    previous_username: Type.Union([Type.String(), Type.Null()], {
      description: 'The name you gave up, reserved to you until previous_username_held_until (null when none)',
    }),
    previous_username_held_until: NullableTimestamp,
    next_change_after: NullableTimestamp,
  },
  { description: 'Your username after the change' },
);

export type EmailChangeBody = Static<typeof EmailChangeBodySchema>;
export type UsernameChangeBody = Static<typeof UsernameChangeBodySchema>;
export type UsernameState = Static<typeof UsernameStateSchema>;
