// The files domain (spec §6 File Management). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0004). */
export const filesTables = ['files', 'file_uploads', 'file_metadata', 'file_conversions'] as const;

export { filesModule } from './files.module.ts';
export { filesStorageSweep, filesUploadsExpire } from './files.jobs.ts';
export { filesPolicy, scanStanding, type FileSubject, type ReadContext } from './files.policy.ts';
export { storageForDataDir, writeOwnFiles } from './files.export.ts';
export { ownFilesForBackup, type BackupSourceFile } from './files.backup-source.ts';
export { ObjectNotFoundError } from './storage/object-storage.ts';
export { enqueueProcessing, filesProcessingRecover, startFilesProcessing } from './processing/index.ts';
export {
  createFilesBridge,
  type AudioFindings,
  type BridgedFile,
  type BridgedRendition,
  type DeliveryAnswer,
  type DeliveryGrant,
  type FilesBridge,
  type GrantedDelivery,
} from './files.bridge.ts';
export { sendDelivery } from './delivery.reply.ts';
/** The signer of files' links, for a domain that signs links of its own under its own key (marketplace downloads). */
export { UrlSigner, type SignedLink } from './signed-urls.ts';
export { deleteGeneratedFile, storeGeneratedFile, type GeneratedFile } from './generated-files.ts';
