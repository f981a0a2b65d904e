// The owner API of the files domain (issue 12 §7): list, describe (metadata, scan, renditions, processing state),
// wait for processing to end, delete, and hand out signed links to the content.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { FilesProblems } from './files.errors.ts';
import { filesPolicy } from './files.policy.ts';
import type { FileRow, FilesRepository } from './files.repository.ts';
import type { FileDetail, FileListQuery, FileSummary, SignedLink, SignedLinkRequest } from './files.schemas.ts';
import { processingState } from './processing/processing.state.ts';
import type { UrlSigner } from './signed-urls.ts';

/** The longest `Prefer: wait=N` honoured: long enough to cover most tracks, short of proxies' idle timeouts. */
export const MAX_WAIT_SECONDS = 30;
const FINAL = new Set(['processed', 'failed', 'quarantined']);

export interface FilesServiceDeps {
  repository: FilesRepository;
  signer: () => Promise<UrlSigner>;
  production: boolean;
  clock?: () => Date;
  /** How often a waiting request looks at the row again. */
  pollIntervalMs?: number;
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export const contentPath = (id: string) => `/v1/files/${id}/content`;

/** `Prefer: wait=N` (RFC 7240 §4.3), capped; undefined when the header asks nothing of the kind. */
export function preferredWait(prefer: string | undefined): number | undefined {
  if (!prefer) return undefined;
  for (const preference of prefer.split(',')) {
    const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(preference.split(';')[0] ?? '');
    if (match) return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
  }
  return undefined;
}

export class FilesService {
  readonly #deps: FilesServiceDeps;
  readonly #now: () => Date;

  constructor(deps: FilesServiceDeps) {
    this.#deps = deps;
    this.#now = deps.clock ?? (() => new Date());
  }

  #summary(row: FileRow): FileSummary {
    const state = processingState(row);
    return {
      id: row.id,
      original_filename: row.original_filename,
      mime_type: row.mime_type,
      size: row.file_size,
      is_public: row.is_public,
      sha256: row.file_hash,
      created_at: iso(row.created_at),
      processing_status: state.status,
      scan: state.scan,
      content_url: contentPath(row.id),
    };
  }

  async #owned(caller: Caller, id: string): Promise<FileRow> {
    const row = await this.#deps.repository.findFile(id);
    authorize(filesPolicy.mayManage(caller, row), FilesProblems.fileNotFound);
    return row as FileRow;
  }

  async list(caller: Caller, query: FileListQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.listOwn(caller.userId, after, query.limit);
    const page = toPage(rows, query.limit);
    return { items: page.items.map((row) => this.#summary(row)), next_cursor: page.next_cursor };
  }

  async #detail(row: FileRow): Promise<FileDetail> {
    const { repository } = this.#deps;
    const [metadata, conversions] = await Promise.all([
      repository.metadataOf(row.id),
      repository.conversionsOf(row.id),
    ]);
    const state = processingState(row);
    return {
      ...this.#summary(row),
      processing: {
        status: state.status,
        steps: state.steps,
        scan: state.scan,
        virus_signature: state.signature,
        error: state.error,
        processed_at: isoOrNull(row.processed_at),
      },
      metadata: metadata
        ? {
            title: metadata.title,
            artist: metadata.artist,
            album: metadata.album,
            genre: metadata.genre,
            year: metadata.year,
            duration_seconds: metadata.duration,
            bitrate_kbps: metadata.bitrate,
            sample_rate: metadata.sample_rate,
            channels: metadata.channels,
            codec: metadata.codec,
            width: metadata.width,
            height: metadata.height,
            format: metadata.format,
          }
        : null,
      renditions: conversions.map((conversion) => ({
        file_id: conversion.converted_file_id,
        format: conversion.target_format,
        quality: conversion.target_quality,
        status: conversion.status,
        progress: conversion.progress,
        error: conversion.error_message,
        completed_at: isoOrNull(conversion.completed_at),
      })),
    };
  }

  /**
   * One file as its owner sees it. With `waitSeconds`, answers as soon as processing has ended (processed,
   * failed or quarantined) or when the wait is over, whichever comes first: one request instead of a tight poll.
   */
  async describe(caller: Caller, id: string, waitSeconds?: number, gone?: AbortSignal): Promise<FileDetail> {
    let row = await this.#owned(caller, id);
    if (waitSeconds !== undefined && waitSeconds > 0) {
      const deadline = Date.now() + waitSeconds * 1000;
      const interval = this.#deps.pollIntervalMs ?? 250;
      // A client that went away stops the wait: nobody is left to answer.
      while (!FINAL.has(processingState(row).status) && Date.now() < deadline && !gone?.aborted) {
        await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
        // Deleted meanwhile: the same 404 as for a missing file.
        row = await this.#owned(caller, id);
      }
    }
    return this.#detail(row);
  }

  /** Soft delete, renditions included; the bytes go when the retention job purges the rows (ADR 0043). */
  async delete(caller: Caller, id: string): Promise<void> {
    const row = await this.#deps.repository.findFile(id);
    authorize(filesPolicy.mayDelete(caller, row), FilesProblems.fileNotFound);
    await this.#deps.repository.softDelete(caller.userId, id, this.#now());
  }

  /** A link anyone may fetch until it expires: for whoever may read the file now (ADR 0042). */
  async signLink(caller: Caller, id: string, request: SignedLinkRequest): Promise<SignedLink> {
    const row = await this.#deps.repository.findFile(id);
    authorize(filesPolicy.mayRead(caller, row, { production: this.#deps.production }), FilesProblems.fileNotFound);
    const expiresAt = new Date(this.#now().getTime() + request.ttl_seconds * 1000);
    const link = (await this.#deps.signer()).sign(id, expiresAt);
    return {
      url: `${contentPath(id)}?expires=${link.expires}&signature=${link.signature}`,
      expires_at: iso(new Date(link.expires * 1000)),
    };
  }
}
