// Bounded inspection of ZIP archives before they are kept (issue 12, "a ZIP bomb among product downloads";
// ADR 0044). We read the central directory and inflate each entry into nothing, never onto disk: the declared
// figures are judged first, then the bytes are checked to match them, so neither a large nor a lying archive
// can make us do more work than the bounds allow.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

export interface ArchiveLimits {
  /** Most entries (files and folders) one archive may hold. */
  maxEntries: number;
  /**
   * Largest total of declared uncompressed sizes. Every entry is inflated and stops at its declared size, so this is
   * also the byte budget of the whole inspection.
   */
  maxTotalBytes: number;
  /** Highest uncompressed:compressed ratio of an entry larger than ratioFloorBytes. */
  maxRatio: number;
  /** Entries smaller than this escape the ratio rule: a short text or silence compresses well and is harmless. */
  ratioFloorBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 5_000,
  maxTotalBytes: 4 * 1024 ** 3,
  maxRatio: 100,
  ratioFloorBytes: 1024 ** 2,
};

/**
 * Extensions an archive may carry (ADR 0044): audio, MIDI, the preset and project formats of common instruments
 * and DAWs, and the readme, licence and artwork that come with a pack. Nested archives and executables are not
 * on it, so a pack is one level deep and nothing in it runs by a double click.
 */
export const ARCHIVE_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set(
  [
    // Audio and MIDI.
    'wav wave aif aiff flac mp3 ogg opus m4a mid midi',
    // Instrument and effect presets: VST 2 programs and banks, Vital, Serum, u-he, Massive X, Kontakt, Phase Plant,
    // Bitwig, Ableton devices, racks and clips.
    'fxp fxb vital vitalbank serumpreset h2p nmsv ksd nki nkm phaseplant bwpreset adg adv agr alc ams',
    // Projects and templates of the common DAWs.
    'als flp logicx rpp cpr ptx song bwproject',
    // What a pack carries beside its sounds.
    'txt md pdf rtf png jpg jpeg webp',
  ].flatMap((group) => group.split(' ')),
);

/** Noise the macOS and Windows archivers add; harmless, and refusing a pack for it would only confuse sellers. */
const SYSTEM_CLUTTER = /(^|\/)(__MACOSX\/.*|\.DS_Store|Thumbs\.db|desktop\.ini)$/;

export type ArchiveRule =
  | 'readable'
  | 'entries'
  | 'total-size'
  | 'ratio'
  | 'overlap'
  | 'declared-size'
  | 'path'
  | 'encrypted'
  | 'compression'
  | 'extension';

export type ArchiveVerdict =
  { ok: true; entries: number; totalBytes: number } | { ok: false; rule: ArchiveRule; detail: string };

class Refusal extends Error {
  readonly rule: ArchiveRule;
  constructor(rule: ArchiveRule, detail: string) {
    super(detail);
    this.rule = rule;
  }
}

const short = (name: string): string => JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);

function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** yauzl's own name checks (absolute paths, `..`, backslashes) fail the whole file; they are zip-slip attempts. */
function refusalOf(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/absolute path|invalid relative path|invalid characters in fileName/.test(message)) {
    return new Refusal('path', `An entry's name would be written outside the archive's folder (${message})`);
  }
  if (/too many bytes in the stream|too few bytes in the stream/.test(message)) {
    return new Refusal('declared-size', `An entry does not inflate to the size it declares (${message})`);
  }
  if (/unsupported compression method/.test(message)) {
    return new Refusal('compression', `An entry uses a compression method we cannot inspect (${message})`);
  }
  return new Refusal('readable', `The archive cannot be read as a ZIP file (${message})`);
}

/** Reads and discards a stream, failing on the first error (yauzl's size checks surface here). */
function drain(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('data', () => undefined);
    stream.once('end', resolve);
    stream.once('error', reject);
  });
}

/**
 * Inspects the ZIP archive at path against the limits: counts, declared sizes and ratios, names, encryption and
 * extensions from the central directory, overlapping entries from their offsets, then every entry inflated to
 * check it holds exactly what it declares. Resolves to a verdict; never extracts anything.
 */
export async function inspectZipArchive(
  path: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveVerdict> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, opened) =>
        error ? reject(error) : resolve(opened),
      ),
    );
    const archive = zip;
    if (archive.entryCount > limits.maxEntries) {
      throw new Refusal(
        'entries',
        `The archive holds ${archive.entryCount} entries; at most ${limits.maxEntries} are allowed`,
      );
    }
    const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
      const seen: yauzl.Entry[] = [];
      let total = 0;
      archive.on('error', reject);
      archive.on('end', () => resolve(seen));
      archive.on('entry', (entry: yauzl.Entry) => {
        try {
          judgeEntry(entry, limits);
          total += entry.uncompressedSize;
          if (total > limits.maxTotalBytes) {
            throw new Refusal(
              'total-size',
              `The archive declares more than ${limits.maxTotalBytes} bytes once unpacked; that is the maximum`,
            );
          }
          seen.push(entry);
          archive.readEntry();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      archive.readEntry();
    });
    assertNoOverlap(entries);
    let totalBytes = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      // validateEntrySizes makes the stream fail at the first byte past the declared size.
      const stream = await new Promise<Readable>((resolve, reject) =>
        archive.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      await drain(stream);
      totalBytes += entry.uncompressedSize;
    }
    return { ok: true, entries: entries.length, totalBytes };
  } catch (error) {
    const refusal = refusalOf(error);
    return { ok: false, rule: refusal.rule, detail: refusal.message };
  } finally {
    zip?.close();
  }
}

function judgeEntry(entry: yauzl.Entry, limits: ArchiveLimits): void {
  const name = entry.fileName;
  if (entry.isEncrypted()) {
    throw new Refusal('encrypted', `The entry ${short(name)} is encrypted, so its content cannot be checked`);
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new Refusal(
      'compression',
      `The entry ${short(name)} uses compression method ${entry.compressionMethod}; only stored and deflated entries are accepted`,
    );
  }
  if (name.endsWith('/')) return;
  if (
    entry.uncompressedSize > limits.ratioFloorBytes &&
    entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)
  ) {
    const ratio = Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize));
    throw new Refusal(
      'ratio',
      `The entry ${short(name)} would grow ${ratio} times when unpacked; more than ${limits.maxRatio} times is refused`,
    );
  }
  if (SYSTEM_CLUTTER.test(name)) return;
  const ext = extensionOf(name);
  if (!ARCHIVE_ENTRY_EXTENSIONS.has(ext)) {
    throw new Refusal(
      'extension',
      ext === ''
        ? `The entry ${short(name)} has no extension; archives may hold audio, MIDI, presets, projects and their notes`
        : `The entry ${short(name)} is a .${ext} file; archives may hold audio, MIDI, presets, projects and their notes`,
    );
  }
}

/**
 * Two central-directory records pointing into the same bytes are the overlapping-entries bomb: each looks
 * modest, together they inflate one stream many times. Honest archivers never share data between entries.
 */
function assertNoOverlap(entries: readonly yauzl.Entry[]): void {
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i += 1) {
    const previous = byOffset[i - 1]!;
    // A local header is at least 30 bytes plus the name, then the data.
    const previousEnd = previous.relativeOffsetOfLocalHeader + 30 + previous.compressedSize;
    if (byOffset[i]!.relativeOffsetOfLocalHeader < previousEnd) {
      throw new Refusal(
        'overlap',
        `The entries ${short(previous.fileName)} and ${short(byOffset[i]!.fileName)} share the same bytes`,
      );
    }
  }
}
