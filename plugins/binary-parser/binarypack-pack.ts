import { describeType } from './bytes';

const textEncoder = new TextEncoder();

/** Bytes kept between encodes; a writer that grew past this gives its buffer up afterwards. */
const SCRATCH_BYTES = 64 * 1024;
/** Cycle checks start at this depth: shallow values never pay for them. */
const CYCLE_CHECK_DEPTH = 32;

// Tags rather than instanceof, so Dates and ArrayBuffers from other realms are recognised.
const objectTag = (v: object): string => Object.prototype.toString.call(v);

/**
 * Encode one value as BinaryPack, byte for byte what the `binary-pack`
 * package writes for every value it can encode, except integers outside
 * the 32-bit ranges (see the README: they become float64, which every
 * BinaryPack reader decodes, where `binary-pack` writes an int64 that its
 * own Node reader cannot read).
 */
export function pack(value: unknown): Uint8Array {
  // A `toBinaryPack()` method may encode re-entrantly; it then gets a writer of its own.
  const writer = idle ?? new Writer(256);
  idle = null;
  try {
    writer.value(value);
    return writer.buf.slice(0, writer.pos);
  } finally {
    if (writer.buf.length <= SCRATCH_BYTES) {
      writer.reset();
      idle = writer;
    }
  }
}

class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /** Containers being written, outermost first: a repeat is a cycle. */
  readonly ancestors: object[] = [];

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
    this.ancestors.length = 0;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        // binary-pack's test: ±Infinity counts as an integer here, and falls through to a double below.
        return Math.floor(v) === v ? this.integer(v) : this.double(v);
      case 'boolean':
        return this.byte(v ? 0xc3 : 0xc2);
      case 'undefined':
        return this.byte(0xc0);
      case 'object':
        return v === null ? this.byte(0xc0) : this.object(v);
      default:
        throw new TypeError(`BinaryPack: cannot encode a ${typeof v}`);
    }
  }

  object(v: object): void {
    if (Array.isArray(v)) {
      this.enter(v);
      this.header(v.length, 0x90, 0xdc, 0xdd);
      for (let i = 0; i < v.length; i++) this.value(v[i]);
      this.ancestors.pop();
    } else if (ArrayBuffer.isView(v)) {
      this.binary(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } else if (isPlainObject(v)) {
      this.enter(v);
      const keys = Object.keys(v);
      this.header(keys.length, 0x80, 0xde, 0xdf);
      for (const key of keys) {
        this.string(key);
        this.value((v as Record<string, unknown>)[key]);
      }
      this.ancestors.pop();
    } else if (objectTag(v) === '[object Date]') {
      // binary-pack sends Dates as their toString() text (local time zone, second precision).
      this.string((v as Date).toString());
    } else if (objectTag(v) === '[object ArrayBuffer]') {
      this.binary(new Uint8Array(v as ArrayBuffer));
    } else if (typeof (v as { toBinaryPack?: unknown }).toBinaryPack === 'function') {
      this.raw((v as { toBinaryPack(): unknown }).toBinaryPack());
    } else {
      throw new TypeError(
        `BinaryPack: cannot encode a ${describeType(v)} ` +
          '(only plain objects, arrays, strings, numbers, booleans, null, Dates and binary data)',
      );
    }
  }

  enter(container: object): void {
    const ancestors = this.ancestors;
    if (ancestors.length >= CYCLE_CHECK_DEPTH && ancestors.indexOf(container) !== -1) {
      throw new TypeError('BinaryPack: cannot encode a circular structure');
    }
    ancestors.push(container);
  }

  integer(n: number): void {
    this.ensure(5);
    const buf = this.buf;
    const view = this.view;
    const p = this.pos;
    if (n >= -0x20 && n <= 0x7f) {
      buf[p] = n & 0xff;
      this.pos += 1;
    } else if (n >= 0 && n <= 0xff) {
      buf[p] = 0xcc;
      buf[p + 1] = n;
      this.pos += 2;
    } else if (n >= -0x80 && n <= 0x7f) {
      buf[p] = 0xd0;
      view.setInt8(p + 1, n);
      this.pos += 2;
    } else if (n >= 0 && n <= 0xffff) {
      buf[p] = 0xcd;
      view.setUint16(p + 1, n);
      this.pos += 3;
    } else if (n >= -0x8000 && n <= 0x7fff) {
      buf[p] = 0xd1;
      view.setInt16(p + 1, n);
      this.pos += 3;
    } else if (n >= 0 && n <= 0xffffffff) {
      buf[p] = 0xce;
      view.setUint32(p + 1, n);
      this.pos += 5;
    } else if (n >= -0x80000000 && n <= 0x7fffffff) {
      buf[p] = 0xd2;
      view.setInt32(p + 1, n);
      this.pos += 5;
    } else {
      // binary-pack writes 0xd3 (int64) here, which its Node reader cannot decode
      // (it recurses until the stack overflows); a double reads back everywhere.
      this.double(n);
    }
  }

  double(n: number): void {
    this.ensure(9);
    this.buf[this.pos] = 0xcb;
    this.view.setFloat64(this.pos + 1, n);
    this.pos += 9;
  }

  string(s: string): void {
    // Reserve the UTF-8 worst case (3 bytes per UTF-16 unit) behind a guessed header,
    // encode in place, then move the bytes if the real length needs a shorter header.
    const max = s.length * 3;
    const guess = max <= 0x0f ? 1 : max <= 0xffff ? 3 : 5;
    this.ensure(5 + max);
    const start = this.pos + guess;
    const length =
      s.length <= 64 ? writeUtf8(s, this.buf, start) : textEncoder.encodeInto(s, this.buf.subarray(start)).written;
    const head = length <= 0x0f ? 1 : length <= 0xffff ? 3 : 5;
    if (head !== guess) this.buf.copyWithin(this.pos + head, start, start + length);
    this.header(length, 0xb0, 0xd8, 0xd9);
    this.pos += length;
  }

  binary(bytes: Uint8Array): void {
    this.header(bytes.length, 0xa0, 0xda, 0xdb);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  raw(bytes: unknown): void {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`BinaryPack: toBinaryPack() must return a Uint8Array, got a ${describeType(bytes)}`);
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Size header: a 4-bit fix form up to 15, then 16-bit, then 32-bit. */
  header(n: number, fix: number, size16: number, size32: number): void {
    this.ensure(5);
    if (n <= 0x0f) {
      this.buf[this.pos++] = fix | n;
    } else if (n <= 0xffff) {
      this.buf[this.pos] = size16;
      this.view.setUint16(this.pos + 1, n);
      this.pos += 3;
    } else {
      this.buf[this.pos] = size32;
      this.view.setUint32(this.pos + 1, n);
      this.pos += 5;
    }
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}

let idle: Writer | null = new Writer(SCRATCH_BYTES);

/** Object literals and `Object.create(null)`, from any realm; not class instances, Maps, Errors… */
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** UTF-8 of a short string, like TextEncoder: a lone surrogate becomes U+FFFD. Returns the byte count. */
function writeUtf8(s: string, buf: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = c <= 0xdbff && i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        buf[p++] = 0xef;
        buf[p++] = 0xbf;
        buf[p++] = 0xbd;
      }
    } else {
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - at;
}
