import zlib from 'node:zlib';
import { ParseError } from './errors.ts';

/**
 * Just enough of the ZIP format to vet an archive (a DOCX) before a real unzipper (mammoth → JSZip) touches it.
 * JSZip trusts the archive and inflates whatever it is asked for, so a small upload could expand to gigabytes.
 * We read the central directory ourselves, refuse on declared counts/sizes, then inflate every entry with a hard
 * output cap so that headers that lie about their size are caught too.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  /** Refuse above this many entries (a DOCX typically has 10–40). */
  maxEntries: number;
  /** Refuse when the entries together would inflate past this many bytes. */
  maxUncompressedBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 2000, maxUncompressedBytes: 200 * 1024 * 1024 };

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

export const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4;

const corrupt = (why: string) => new ParseError('corrupt', `The archive is damaged: ${why}`);

function view(b: Uint8Array) {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** u64 as a JS number; anything past 2^53 is absurd for our caps, so saturating is fine. */
function u64(dv: DataView, at: number) {
  return Number(dv.getBigUint64(at, true));
}

function findEocd(b: Uint8Array, dv: DataView) {
  // The EOCD record is 22 bytes plus a comment of at most 65535 bytes, so it lies in the tail.
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= stop; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD) return i;
  }
  return -1;
}

/** Reads the central directory (the archive's own index) without inflating anything. Throws ParseError. */
export function readCentralDirectory(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  if (bytes.length < 22) throw corrupt('too short');
  const dv = view(bytes);
  const eocd = findEocd(bytes, dv);
  if (eocd < 0) throw corrupt('no end-of-central-directory record');
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: the real numbers live in the ZIP64 EOCD record that the locator (just before the EOCD) points to.
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) throw corrupt('missing ZIP64 locator');
    const z = u64(dv, loc + 8);
    if (z + 56 > bytes.length || dv.getUint32(z, true) !== SIG_ZIP64_EOCD) throw corrupt('bad ZIP64 record');
    count = u64(dv, z + 32);
    cdSize = u64(dv, z + 40);
    cdOffset = u64(dv, z + 48);
  }
  if (count > limits.maxEntries) {
    throw new ParseError('too_many_entries', `The archive has ${count} entries (limit ${limits.maxEntries})`);
  }
  if (cdOffset + cdSize > bytes.length) throw corrupt('central directory outside the file');

  const entries: ZipEntry[] = [];
  let declaredTotal = 0;
  let p = cdOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== SIG_CENTRAL)
      throw corrupt('bad central directory entry');
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const entry: ZipEntry = {
      flags: dv.getUint16(p + 8, true),
      method: dv.getUint16(p + 10, true),
      compressedSize: dv.getUint32(p + 20, true),
      uncompressedSize: dv.getUint32(p + 24, true),
      localHeaderOffset: dv.getUint32(p + 42, true),
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen)),
    };
    readZip64Extra(dv, p + 46 + nameLen, extraLen, entry);
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxUncompressedBytes) {
      throw new ParseError(
        'too_large_uncompressed',
        `The archive would expand past ${limits.maxUncompressedBytes} bytes (declared sizes)`,
      );
    }
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Saturated 32-bit fields are replaced, in order, by the 64-bit values of the ZIP64 extra field (id 0x0001). */
function readZip64Extra(dv: DataView, start: number, len: number, e: ZipEntry) {
  let q = start;
  const end = Math.min(start + len, dv.byteLength);
  while (q + 4 <= end) {
    const id = dv.getUint16(q, true);
    const size = dv.getUint16(q + 2, true);
    if (id === 0x0001) {
      let r = q + 4;
      const take = () => {
        if (r + 8 > q + 4 + size || r + 8 > dv.byteLength) throw corrupt('short ZIP64 extra field');
        const v = u64(dv, r);
        r += 8;
        return v;
      };
      if (e.uncompressedSize === 0xffffffff) e.uncompressedSize = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = take();
      return;
    }
    q += 4 + size;
  }
}

/**
 * Inflates every entry with an output cap equal to its declared size, so the real expansion can never exceed
 * what the central directory promised (and which readCentralDirectory already bounded). Output is discarded
 * entry by entry, so peak memory is the largest single entry. Throws ParseError.
 */
export function verifyZip(bytes: Uint8Array, entries: ZipEntry[]) {
  const dv = view(bytes);
  for (const e of entries) {
    if (e.flags & 0x1) throw new ParseError('encrypted', `The archive entry "${e.name}" is encrypted`);
    if (e.name.endsWith('/') && e.uncompressedSize === 0) continue;
    const h = e.localHeaderOffset;
    if (h + 30 > bytes.length || dv.getUint32(h, true) !== SIG_LOCAL)
      throw corrupt(`bad local header for ${e.name}`);
    const dataStart = h + 30 + dv.getUint16(h + 26, true) + dv.getUint16(h + 28, true);
    const dataEnd = dataStart + e.compressedSize;
    if (dataEnd > bytes.length) throw corrupt(`entry ${e.name} runs past the end of the file`);
    const data = bytes.subarray(dataStart, dataEnd);
    if (e.method === 0) {
      if (e.compressedSize !== e.uncompressedSize)
        throw corrupt(`stored entry ${e.name} has inconsistent sizes`);
      continue;
    }
    if (e.method !== 8)
      throw new ParseError('unsupported_type', `Unsupported zip compression method ${e.method}`);
    let out: Buffer;
    try {
      // +1 so that "exactly the declared size" passes and "more than declared" hits the cap.
      out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, e.uncompressedSize + 1) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new ParseError('too_large_uncompressed', `Entry ${e.name} expands past its declared size`);
      }
      throw corrupt(`entry ${e.name} does not inflate`);
    }
    if (out.length > e.uncompressedSize) {
      throw new ParseError('too_large_uncompressed', `Entry ${e.name} expands past its declared size`);
    }
    if (out.length < e.uncompressedSize) throw corrupt(`entry ${e.name} is shorter than declared`);
  }
}

/** Entry names only, for sniffing; null when the archive cannot be read (the parser will report why). */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  try {
    return readCentralDirectory(bytes, {
      maxEntries: Number.MAX_SAFE_INTEGER,
      maxUncompressedBytes: Infinity,
    }).map((e) => e.name);
  } catch {
    return null;
  }
}
