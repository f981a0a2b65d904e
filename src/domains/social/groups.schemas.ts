// The groups and home feed API contract (issue 15 §5-6; ADRs 0064, 0065): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { NameOrSlugSearchSchema, SpaceNameSchema, SpaceSlugSchema } from '../../platform/http/name-and-slug.ts';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { NO_CONTROL_PATTERN } from '../../platform/http/text-patterns.ts';
import { AuthorSchema } from './posts.shared-schemas.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

const Description = Type.String({
  maxLength: 5000,
  pattern: NO_CONTROL_PATTERN,
  description: 'At most 5,000 characters',
});
const ImageUrl = Type.String({
  maxLength: 2000,
  pattern: '^https://[^\\s\\u0000-\\u001f]+$',
  description: 'An https address, at most 2,000 characters',
});
const GroupType = Type.Union([Type.Literal('public'), Type.Literal('private')], {
  description:
    'public: listed, its posts and members seen by everyone; private: not listed, its posts and members seen by ' +
    'its active members only, and joining always asks for approval',
});
const Role = Type.Union([
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('moderator'),
  Type.Literal('member'),
]);
const AssignableRole = Type.Union([Type.Literal('admin'), Type.Literal('moderator'), Type.Literal('member')], {
  description: 'Ownership moves by POST /groups/{id}/transfer only',
});
const Status = Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('banned')]);

export const GroupIdParams = Type.Object({ id: Uuid }, closed);
export const GroupSlugParams = Type.Object({ slug: SpaceSlugSchema }, closed);
export const GroupMemberParams = Type.Object({ id: Uuid, user_id: Uuid }, closed);

export const CreateGroupSchema = Type.Object(
  {
    name: SpaceNameSchema,
    slug: SpaceSlugSchema,
    description: Type.Optional(Nullable(Description)),
    avatar_url: Type.Optional(Nullable(ImageUrl)),
    banner_url: Type.Optional(Nullable(ImageUrl)),
    group_type: Type.Optional(GroupType),
    requires_approval: Type.Optional(
      Type.Boolean({ description: 'New members of a public group wait for a moderator (a private group always asks)' }),
    ),
  },
  closed,
);
export type CreateGroup = Static<typeof CreateGroupSchema>;

export const UpdateGroupSchema = Type.Object(
  {
    name: Type.Optional(SpaceNameSchema),
    description: Type.Optional(Nullable(Description)),
    avatar_url: Type.Optional(Nullable(ImageUrl)),
    banner_url: Type.Optional(Nullable(ImageUrl)),
    group_type: Type.Optional(GroupType),
    requires_approval: Type.Optional(Type.Boolean()),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateGroup = Static<typeof UpdateGroupSchema>;

export const TransferGroupSchema = Type.Object(
  { user_id: Type.String({ format: 'uuid', description: 'An active member' }) },
  closed,
);
export const UpdateGroupMemberSchema = Type.Object({ role: AssignableRole }, closed);

export const GroupSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  description: Nullable(Type.String()),
  avatar_url: Nullable(Type.String()),
  banner_url: Nullable(Type.String()),
  group_type: GroupType,
  requires_approval: Type.Boolean(),
  member_count: Type.Integer({ minimum: 0, description: 'Active members' }),
  post_count: Type.Integer({ minimum: 0, description: 'Posts not deleted' }),
  created_at: Timestamp,
  updated_at: Timestamp,
  my_role: Nullable(Role, { description: 'Your role, null unless you are an active member' }),
  my_status: Nullable(Type.Union([Type.Literal('pending'), Type.Literal('active')]), {
    description: 'pending: your request awaits approval; null: not a member',
  }),
});
export type Group = Static<typeof GroupSchema>;

export const GroupMemberSchema = Type.Object({
  user: AuthorSchema,
  role: Role,
  status: Status,
  joined_at: Timestamp,
  approved_at: Nullable(Timestamp),
});
export type GroupMember = Static<typeof GroupMemberSchema>;

export const GroupListQuerySchema = Type.Object(
  {
    q: Type.Optional(NameOrSlugSearchSchema),
    ...PageQuerySchema.properties,
  },
  closed,
);
export type GroupListQuery = Static<typeof GroupListQuerySchema>;
export const GroupMembersQuerySchema = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('pending'), Type.Literal('banned')], {
        description: 'active (default) for anyone who may see the members; pending and banned for moderators and above',
      }),
    ),
    ...PageQuerySchema.properties,
  },
  closed,
);
export type GroupMembersQuery = Static<typeof GroupMembersQuerySchema>;
export const GroupListSchema = PageSchema(GroupSchema);
export const GroupMemberListSchema = PageSchema(GroupMemberSchema);
export const JoinResultSchema = Type.Object({
  status: Type.Union([Type.Literal('pending'), Type.Literal('active')], {
    description: 'active: you are a member; pending: your request awaits a moderator',
  }),
  group: GroupSchema,
});
