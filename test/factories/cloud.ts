import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const cloudAccounts: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'cloud_accounts', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    provider: 'nextcloud',
    server_url: `https://cloud-${token}.example.test`,
    username: `musician_${token}`,
    // Stands for the application's AES-GCM ciphertext; the database never sees the plaintext.
    encrypted_credentials: Buffer.from(`ciphertext-${token}`),
    ...o,
  });
};

const backupJobs: Factory = async (sql, o = {}) =>
  insertRow(sql, 'backup_jobs', {
    cloud_account_id: await parentId(o, 'cloud_account_id', () => cloudAccounts(sql)),
    name: 'Nightly backup',
    schedule: '0 3 * * *',
    ...o,
  });

export const cloudFactories = {
  cloud_accounts: cloudAccounts,
  backup_jobs: backupJobs,
  sync_operations: async (sql, o = {}) =>
    insertRow(sql, 'sync_operations', {
      cloud_account_id: await parentId(o, 'cloud_account_id', () => cloudAccounts(sql)),
      direction: 'upload',
      remote_path: `Veza Backups/tracks/${uniqueToken()}.flac`,
      bytes_total: 52_428_800,
      ...o,
    }),
} satisfies Record<string, Factory>;
