import type { CheckCase } from './check-case.ts';

export const filesCheckCases: CheckCase[] = [
  { table: 'files', constraint: 'chk_files_size_positive', bad: { file_size: 0 } },
  { table: 'files', constraint: 'chk_files_storage_provider_valid', bad: { storage_provider: 'ftp' } },
  { table: 'files', constraint: 'chk_files_mime_type_format', bad: { mime_type: 'mp3' } },
  { table: 'files', constraint: 'chk_files_mime_type_format', bad: { mime_type: 'Audio/MPEG' } },
  {
    table: 'file_uploads',
    constraint: 'chk_file_uploads_bytes_uploaded',
    bad: { file_size: 100, bytes_uploaded: 101 },
  },
  { table: 'file_uploads', constraint: 'chk_file_uploads_bytes_uploaded', bad: { bytes_uploaded: -1 } },
  { table: 'file_uploads', constraint: 'chk_file_uploads_status_valid', bad: { status: 'done' } },
  { table: 'file_uploads', constraint: 'chk_file_uploads_mime_type_format', bad: { mime_type: 'audio mpeg' } },
  { table: 'file_conversions', constraint: 'chk_file_conversions_status_valid', bad: { status: 'queued' } },
  { table: 'file_conversions', constraint: 'chk_file_conversions_progress_range', bad: { progress: 101 } },
  { table: 'file_conversions', constraint: 'chk_file_conversions_progress_range', bad: { progress: -1 } },
];
