import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * The framing of an active snapshot's journal: records appended one after another, each
 *
 *   magic "BXJ1" (4) | payload length u32 BE (4) | sequence number u64 BE (8) | CRC-32 (4) | payload
 *
 * where the CRC covers the first 16 header bytes and the payload. A process killed in the middle of
 * an append (a write(2) to a regular file can stop short when a fatal signal arrives between pages)
 * leaves a torn tail: a header cut short, a payload cut short, or bytes whose CRC fails. Reading
 * stops at the first frame that is not whole and valid, so what is read is always a prefix of what
 * was appended (the idea of the write-ahead logs of SQLite and etcd's WAL, which frame records with
 * a length and a CRC for the same reason).
 */

export const FRAME_HEADER = 20;
const MAGIC = 0x424a5831; // "BXJ1"
/** A length field beyond this is a torn or foreign header, not a record. */
export const MAX_RECORD = 256 << 20;

export function frame(seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  out.writeUInt32BE(MAGIC, 0);
  out.writeUInt32BE(payload.length, 4);
  out.writeBigUInt64BE(BigInt(seq), 8);
  out.set(payload, FRAME_HEADER);
  out.writeUInt32BE(crc32(payload, crc32(out.subarray(0, 16))), 16);
  return out;
}

export interface Scan {
  records: { seq: number; payload: Buffer }[];
  /** Bytes of the valid prefix: where the next record goes once a torn tail is cut off. */
  validBytes: number;
  /** Whether bytes follow the valid prefix (a torn append, or damage). */
  torn: boolean;
}

/** The valid records of a journal file whose first record has sequence number `firstSeq`. */
export function scanJournal(data: Buffer, firstSeq: number): Scan {
  const records: Scan['records'] = [];
  let at = 0;
  let seq = firstSeq;
  while (data.length - at >= FRAME_HEADER) {
    if (data.readUInt32BE(at) !== MAGIC) break;
    const len = data.readUInt32BE(at + 4);
    if (len > MAX_RECORD || at + FRAME_HEADER + len > data.length) break;
    if (data.readBigUInt64BE(at + 8) !== BigInt(seq)) break;
    const payload = data.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len);
    if (crc32(payload, crc32(data.subarray(at, at + 16))) !== data.readUInt32BE(at + 16)) break;
    records.push({ seq, payload: Buffer.from(payload) });
    at += FRAME_HEADER + len;
    seq++;
  }
  return { records, validBytes: at, torn: at < data.length };
}

/** write(2) until all of `buf` is written: a short write is not an error. */
export function writeAll(fd: number, buf: Uint8Array): void {
  for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off, buf.length - off);
}
