import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, drawn 256 ids at a time: one `randomBytes(16)` per event cost more than
 * the rest of the proxy's audit work together (each call goes to the OS's CSPRNG). Node's own
 * `randomUUID` caches entropy the same way.
 */
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let nextId = POOL_IDS;

/** RFC 9562 UUIDv7: time-ordered ids, so events sort by creation in any store. */
export function uuidv7(now: number = Date.now()): string {
  if (nextId === POOL_IDS) {
    randomFillSync(pool);
    nextId = 0;
  }
  const bytes = pool.subarray(nextId * 16, nextId * 16 + 16);
  nextId += 1;
  // 48-bit millisecond timestamp, big-endian (exact in a double up to 2^53).
  const high = Math.floor(now / 2 ** 16);
  bytes.writeUInt32BE(high >>> 0, 0);
  bytes.writeUInt16BE(now % 2 ** 16, 4);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
