import { randomBytes } from 'node:crypto';

const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';
const SIZE = 21;
const POOL_SIZE = SIZE * 128;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

/**
 * A 21-character URL-safe random id, like nanoid's default. Random bytes
 * are drawn in batches and mapped to the alphabet in place, so an id is one
 * `latin1` slice: one string, no syscall and no concatenation per connection.
 */
export function randomId(): string {
  if (offset + SIZE > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = ALPHABET.charCodeAt(pool[i] & 63);
    offset = 0;
  }
  const id = pool.toString('latin1', offset, offset + SIZE);
  offset += SIZE;
  return id;
}
