import { randomBytes } from 'node:crypto';

const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';
const POOL_SIZE = 21 * 128;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

/**
 * A 21-character URL-safe random id, like nanoid's default. Random bytes are
 * drawn in batches so a connection does not pay for a syscall.
 */
export function randomId(): string {
  if (offset + 21 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let id = '';
  for (let i = 0; i < 21; i++) id += ALPHABET[pool[offset + i] & 63];
  offset += 21;
  return id;
}
