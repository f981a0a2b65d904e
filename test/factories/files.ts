import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const inOneDay = () => new Date(Date.now() + 86_400_000);

const files: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'files', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    filename: `${token}.mp3`,
    original_filename: `My song ${token}.mp3`,
    mime_type: 'audio/mpeg',
    file_size: 4_194_304,
    storage_path: `uploads/${token}.mp3`,
    url: `https://cdn.example.test/uploads/${token}.mp3`,
    ...o,
  });
};

export const filesFactories = {
  files,
  file_uploads: async (sql, o = {}) =>
    insertRow(sql, 'file_uploads', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      filename: `upload_${uniqueToken()}.wav`,
      file_size: 10_485_760,
      mime_type: 'audio/wav',
      expires_at: inOneDay(),
      ...o,
    }),
  file_metadata: async (sql, o = {}) =>
    insertRow(sql, 'file_metadata', {
      file_id: await parentId(o, 'file_id', () => files(sql)),
      ...o,
    }),
  file_conversions: async (sql, o = {}) =>
    insertRow(sql, 'file_conversions', {
      source_file_id: await parentId(o, 'source_file_id', () => files(sql)),
      target_format: 'ogg',
      ...o,
    }),
} satisfies Record<string, Factory>;
