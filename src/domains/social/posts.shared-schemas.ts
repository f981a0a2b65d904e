// Schema parts shared by the posts and comments contracts (kept apart so that neither file imports the other's
// constants while it is being evaluated).
import { Type } from 'typebox';

export const AuthorSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  display_name: Type.Union([Type.String(), Type.Null()]),
});
