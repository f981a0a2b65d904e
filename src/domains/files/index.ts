// The files domain (spec §6 File Management). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0004). */
export const filesTables = ['files', 'file_uploads', 'file_metadata', 'file_conversions'] as const;
