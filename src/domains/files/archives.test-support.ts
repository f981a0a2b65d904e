// ZIP archives made on the spot for the archive-inspection tests, with yazl (a streaming writer) so even the
// 1 GiB bomb never exists uncompressed in memory or on disk. Hostile variants are honest archives with a few
// bytes of their headers changed afterwards, the way a real attacker makes them.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';

export interface ZipEntrySpec {
  name: string;
  /** Bytes of the entry, or a count of zero bytes streamed in 1 MiB chunks. */
  content: Buffer | { zeros: number };
}

function zeros(total: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

export async function makeZip(entries: readonly ZipEntrySpec[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (Buffer.isBuffer(entry.content)) zip.addBuffer(entry.content, entry.name);
    else zip.addReadStream(zeros(entry.content.zeros), entry.name, { compressionLevel: 1 });
  }
  zip.end();
  return buffer(zip.outputStream);
}

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const END = 0x06054b50;

function endRecordOffset(zip: Buffer): number {
  for (let at = zip.length - 22; at >= 0; at -= 1) if (zip.readUInt32LE(at) === END) return at;
  throw new Error('no end of central directory record');
}

function centralOffsets(zip: Buffer): number[] {
  const end = endRecordOffset(zip);
  const offsets: number[] = [];
  let at = zip.readUInt32LE(end + 16);
  while (at < end && zip.readUInt32LE(at) === CENTRAL) {
    offsets.push(at);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return offsets;
}

/** Replaces every occurrence of a name in local and central headers with another of the same length. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('names must have the same length');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  for (let at = out.indexOf(needle); at !== -1; at = out.indexOf(needle, at + 1)) Buffer.from(to).copy(out, at);
  return out;
}

/** Makes the central directory claim the first entry inflates to `size` bytes: a lying header. */
export function understateSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  out.writeUInt32LE(size, centralOffsets(out)[0]! + 24);
  return out;
}

/** Sets the "encrypted" flag of the first entry in both its headers. */
export function markEncrypted(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  const central = centralOffsets(out)[0]!;
  out.writeUInt16LE(out.readUInt16LE(central + 8) | 1, central + 8);
  const local = out.readUInt32LE(central + 42);
  if (out.readUInt32LE(local) !== LOCAL) throw new Error('no local header where the central directory says');
  out.writeUInt16LE(out.readUInt16LE(local + 6) | 1, local + 6);
  return out;
}

/**
 * The overlapping-entries bomb: `copies` extra central-directory records, each pointing at the first entry's
 * data under a new name of the same length.
 */
export function overlapEntries(zip: Buffer, copies: number): Buffer {
  const end = endRecordOffset(zip);
  const first = centralOffsets(zip)[0];
  if (first === undefined) throw new Error('the archive has no entry');
  const nameLength = zip.readUInt16LE(first + 28);
  const recordLength = 46 + nameLength + zip.readUInt16LE(first + 30) + zip.readUInt16LE(first + 32);
  const record = zip.subarray(first, first + recordLength);
  const extra: Buffer[] = [];
  for (let i = 0; i < copies; i += 1) {
    const copy = Buffer.from(record);
    const name = `c${String(i).padStart(nameLength - 5, '0')}.wav`;
    copy.write(name, 46, 'latin1');
    extra.push(copy);
  }
  const endRecord = Buffer.from(zip.subarray(end));
  endRecord.writeUInt16LE(endRecord.readUInt16LE(8) + copies, 8);
  endRecord.writeUInt16LE(endRecord.readUInt16LE(10) + copies, 10);
  endRecord.writeUInt32LE(endRecord.readUInt32LE(12) + copies * recordLength, 12);
  return Buffer.concat([zip.subarray(0, end), ...extra, endRecord]);
}
