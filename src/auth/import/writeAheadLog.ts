// Applies a SQLite write-ahead log to a copy of its database in memory, because a running kiro-cli keeps its newest tokens in `data.sqlite3-wal` until it checkpoints.

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** SQLite's WAL checksum: pairs of 32-bit words, summed with carry between the two halves. */
function checksum(data: Uint8Array, start: number, end: number, bigEndian: boolean, seed: [number, number]): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let s0 = seed[0];
  let s1 = seed[1];
  for (let offset = start; offset < end; offset += 8) {
    s0 = (s0 + view.getUint32(offset, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(offset + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

/**
 * The database as SQLite would see it with the log applied: every frame up to the last valid
 * commit is written over its page. A log that is missing, torn or belongs to another database
 * generation (salt mismatch) leaves the database as it was, which is what SQLite does too.
 * Works on copies only; neither input is changed. Throws when the log's last commit describes a database larger
 * than `maxBytes`: the size comes from the file, and a crafted log could otherwise ask for gigabytes.
 */
export function applyWriteAheadLog(database: Uint8Array, wal: Uint8Array, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
  if (wal.length < WAL_HEADER_BYTES) return database;
  const header = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = header.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return database;
  const bigEndian = magic === 0x377f0683;
  const pageSize = header.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return database;
  const salt1 = header.getUint32(16);
  const salt2 = header.getUint32(20);
  let running = checksum(wal, 0, 24, bigEndian, [0, 0]);
  if (running[0] !== header.getUint32(24) || running[1] !== header.getUint32(28)) return database;

  const pending = new Map<number, Uint8Array>();
  const committed = new Map<number, Uint8Array>();
  let committedPages = 0;
  const frameBytes = FRAME_HEADER_BYTES + pageSize;
  for (let offset = WAL_HEADER_BYTES; offset + frameBytes <= wal.length; offset += frameBytes) {
    const pageNumber = header.getUint32(offset);
    const commitSize = header.getUint32(offset + 4);
    if (pageNumber === 0 || header.getUint32(offset + 8) !== salt1 || header.getUint32(offset + 12) !== salt2) break;
    running = checksum(wal, offset, offset + 8, bigEndian, running);
    running = checksum(wal, offset + FRAME_HEADER_BYTES, offset + frameBytes, bigEndian, running);
    if (running[0] !== header.getUint32(offset + 16) || running[1] !== header.getUint32(offset + 20)) break;
    pending.set(pageNumber, wal.subarray(offset + FRAME_HEADER_BYTES, offset + frameBytes));
    if (commitSize > 0) {
      for (const [page, bytes] of pending) committed.set(page, bytes);
      pending.clear();
      committedPages = commitSize;
    }
  }
  if (committedPages === 0) return database;
  if (committedPages * pageSize > maxBytes) {
    throw new RangeError(`the write-ahead log describes a database of ${committedPages} pages of ${pageSize} bytes, more than the ${maxBytes} bytes allowed`);
  }

  const result = new Uint8Array(committedPages * pageSize);
  result.set(database.subarray(0, Math.min(database.length, result.length)));
  for (const [page, bytes] of committed) {
    if (page <= committedPages) result.set(bytes, (page - 1) * pageSize);
  }
  return result;
}
