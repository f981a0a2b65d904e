// The rooms API contract (issue 14 §1, ADR 0056): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { NameOrSlugSearchSchema, SpaceNameSchema, SpaceSlugSchema } from '../../platform/http/name-and-slug.ts';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { NO_CONTROL_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

/** The largest member limit a room may set. */
export const MAX_ROOM_MEMBERS = 10_000;

const Description = Type.String({
  maxLength: 2000,
  pattern: NO_CONTROL_PATTERN,
  description: 'At most 2,000 characters',
});
const Password = Type.String({
  minLength: 4,
  maxLength: 72,
  description: '4 to 72 characters (bcrypt reads 72 bytes)',
});
const MaxMembers = Type.Integer({ minimum: 2, maximum: MAX_ROOM_MEMBERS, description: 'Seats, the owner included' });
const Role = Type.Union([
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('moderator'),
  Type.Literal('member'),
]);
const AssignableRole = Type.Union([Type.Literal('admin'), Type.Literal('moderator'), Type.Literal('member')], {
  description: 'Ownership moves by POST /rooms/{id}/transfer only',
});

export const RoomIdParams = Type.Object({ id: Uuid }, closed);
export const SlugParams = Type.Object({ slug: SpaceSlugSchema }, closed);
export const MemberParams = Type.Object({ id: Uuid, user_id: Uuid }, closed);

export const CreateRoomSchema = Type.Object(
  {
    name: SpaceNameSchema,
    type: Type.Union([Type.Literal('public'), Type.Literal('private')], {
      description: 'public: listed and joined by anyone (with the password if set); private: by invitation only',
    }),
    slug: Type.Optional(SpaceSlugSchema),
    description: Type.Optional(Nullable(Description)),
    password: Type.Optional(Password),
    max_members: Type.Optional(Nullable(MaxMembers)),
  },
  closed,
);
export type CreateRoom = Static<typeof CreateRoomSchema>;

export const UpdateRoomSchema = Type.Object(
  {
    name: Type.Optional(SpaceNameSchema),
    description: Type.Optional(Nullable(Description)),
    password: Type.Optional(Nullable(Password, { description: 'null removes the password' })),
    max_members: Type.Optional(Nullable(MaxMembers)),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateRoom = Static<typeof UpdateRoomSchema>;

export const JoinRoomSchema = Type.Object(
  { password: Type.Optional(Type.String({ minLength: 1, maxLength: 72 })) },
  closed,
);
export const InviteSchema = Type.Object({ user_id: Uuid }, closed);
export const TransferSchema = Type.Object(
  { user_id: Type.String({ format: 'uuid', description: 'A member' }) },
  closed,
);
export const UpdateMemberSchema = Type.Object(
  {
    role: Type.Optional(AssignableRole),
    is_muted: Type.Optional(Type.Boolean()),
    is_banned: Type.Optional(
      Type.Boolean({ description: 'true bans (the member leaves and may not come back); false lifts a ban' }),
    ),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateMember = Static<typeof UpdateMemberSchema>;
export const ReadMarkerSchema = Type.Object(
  { message_id: Type.String({ format: 'uuid', description: 'The last message read, of this room' }) },
  closed,
);

export const RoomSchema = Type.Object({
  id: Uuid,
  name: Nullable(Type.String()),
  slug: Nullable(Type.String()),
  description: Nullable(Type.String()),
  type: Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('dm')]),
  has_password: Type.Boolean(),
  max_members: Nullable(Type.Integer()),
  member_count: Type.Integer({ minimum: 0 }),
  message_count: Type.Integer({ minimum: 0 }),
  created_at: Timestamp,
  updated_at: Timestamp,
  my_role: Nullable(Role, { description: 'Your role, null when you are not a member' }),
});
export type Room = Static<typeof RoomSchema>;

export const MyRoomSchema = Type.Object({
  ...RoomSchema.properties,
  is_muted: Type.Boolean(),
  last_read_at: Nullable(Timestamp),
  unread_count: Type.Integer({ minimum: 0, description: 'Messages of others after your read marker' }),
});
export type MyRoom = Static<typeof MyRoomSchema>;

export const MemberSchema = Type.Object({
  user_id: Uuid,
  role: Role,
  is_muted: Type.Boolean(),
  joined_at: Timestamp,
});
export type Member = Static<typeof MemberSchema>;

export const RoomListQuerySchema = Type.Object(
  {
    q: Type.Optional(NameOrSlugSearchSchema),
    ...PageQuerySchema.properties,
  },
  closed,
);
export const MyRoomsQuerySchema = PageQuerySchema;
export const RoomListSchema = PageSchema(RoomSchema);
export const MyRoomListSchema = PageSchema(MyRoomSchema);
export const MemberListSchema = PageSchema(MemberSchema);
export const ReadMarkerResultSchema = Type.Object({ last_read_at: Nullable(Timestamp) });
