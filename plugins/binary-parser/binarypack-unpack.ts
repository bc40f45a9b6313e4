import { DEFAULT_DECODE_LIMITS, overLimit, type DecodeLimits } from '../../core/decode-limits';

// `fatal`: bad UTF-8 means a corrupt frame, not text to patch up. `ignoreBOM`: a string may start with U+FEFF.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode one BinaryPack value that must fill the whole frame. Everything
 * `binary-pack` can write is read back; bytes it never writes (0xc4–0xc9,
 * 0xd4–0xd7), a frame that ends early and bytes after the value all throw,
 * where `binary-pack` returns `undefined` or ignores them. Nesting and
 * container sizes are held to `limits` before anything is allocated.
 */
export function unpack(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): unknown {
  const reader = new Reader(bytes, limits);
  const value = reader.value();
  if (reader.pos !== bytes.length) {
    const extra = bytes.length - reader.pos;
    throw new Error(`BinaryPack: ${extra} unexpected byte${extra === 1 ? '' : 's'} after the value (at offset ${reader.pos})`);
  }
  return value;
}

class Reader {
  readonly view: DataView;
  pos = 0;
  /** Arrays and maps open around the value being read. */
  depth = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly limits: DecodeLimits,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  value(): unknown {
    this.need(1);
    const at = this.pos;
    const type = this.bytes[this.pos++];
    if (type < 0x80) return type;
    if (type >= 0xe0) return type - 0x100;
    if (type < 0x90) return this.map(type & 0x0f);
    if (type < 0xa0) return this.array(type & 0x0f);
    if (type < 0xb0) return this.binary(type & 0x0f);
    if (type < 0xc0) return this.string(type & 0x0f);
    const view = this.view;
    switch (type) {
      case 0xc0:
        return null;
      case 0xc1:
        return undefined;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xca:
        return view.getFloat32(this.advance(4));
      case 0xcb:
        return view.getFloat64(this.advance(8));
      case 0xcc:
        return view.getUint8(this.advance(1));
      case 0xcd:
        return view.getUint16(this.advance(2));
      case 0xce:
        return view.getUint32(this.advance(4));
      case 0xcf: {
        const p = this.advance(8);
        return view.getUint32(p) * 0x100000000 + view.getUint32(p + 4);
      }
      case 0xd0:
        return view.getInt8(this.advance(1));
      case 0xd1:
        return view.getInt16(this.advance(2));
      case 0xd2:
        return view.getInt32(this.advance(4));
      case 0xd3: {
        const p = this.advance(8);
        return view.getInt32(p) * 0x100000000 + view.getUint32(p + 4);
      }
      case 0xd8:
        return this.string(view.getUint16(this.advance(2)));
      case 0xd9:
        return this.string(view.getUint32(this.advance(4)));
      case 0xda:
        return this.binary(view.getUint16(this.advance(2)));
      case 0xdb:
        return this.binary(view.getUint32(this.advance(4)));
      case 0xdc:
        return this.array(view.getUint16(this.advance(2)));
      case 0xdd:
        return this.array(view.getUint32(this.advance(4)));
      case 0xde:
        return this.map(view.getUint16(this.advance(2)));
      case 0xdf:
        return this.map(view.getUint32(this.advance(4)));
      default:
        throw new Error(`BinaryPack: unknown type byte 0x${type.toString(16)} at offset ${at}`);
    }
  }

  array(n: number): unknown[] {
    // Every item takes at least one byte: refuse a count the frame cannot hold before allocating.
    this.plausible(n, 1, 'array');
    this.enter();
    const items = new Array<unknown>(n);
    for (let i = 0; i < n; i++) items[i] = this.value();
    this.depth--;
    return items;
  }

  map(n: number): Record<string, unknown> {
    this.plausible(n, 2, 'map');
    this.enter();
    const map: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.value();
      const name = typeof key === 'string' ? key : String(key);
      const value = this.value();
      // Assigning "__proto__" would replace the object's prototype; keep it as a plain key.
      if (name === '__proto__') Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
      else map[name] = value;
    }
    this.depth--;
    return map;
  }

  string(n: number): string {
    const start = this.advance(n);
    const bytes = this.bytes;
    if (n <= 16) {
      // Short ASCII (most keys) without a TextDecoder call.
      let s = '';
      let i = 0;
      for (; i < n; i++) {
        const c = bytes[start + i];
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === n) return s;
    }
    try {
      return textDecoder.decode(bytes.subarray(start, start + n));
    } catch (err) {
      throw new Error(`BinaryPack: invalid UTF-8 in the string at offset ${start}`, { cause: err });
    }
  }

  binary(n: number): Uint8Array {
    const start = this.advance(n);
    // A copy, so the value does not pin or alias the frame; a Buffer frame gives a Buffer.
    return Uint8Array.prototype.slice.call(this.bytes, start, start + n);
  }

  /** Take `n` bytes; returns where they start. */
  advance(n: number): number {
    this.need(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  need(n: number): void {
    const left = this.bytes.length - this.pos;
    if (n > left) {
      const bytes = n === 1 ? '1 byte' : `${n} bytes`;
      throw new Error(`BinaryPack: the frame ends early (${bytes} needed at offset ${this.pos}, ${left} left)`);
    }
  }

  /** One level deeper, within `maxDepth`. */
  enter(): void {
    const max = this.limits.maxDepth;
    if (++this.depth > max) throw overLimit('BinaryPack', `frame nested too deeply to decode (more than ${max} levels)`, 'maxDepth', max);
  }

  /** A count the frame can hold (each entry takes `minBytes`), within `maxEntries`. */
  plausible(n: number, minBytes: number, what: string): void {
    const left = this.bytes.length - this.pos;
    if (n * minBytes > left) {
      throw new Error(`BinaryPack: ${what} of ${n} entries at offset ${this.pos} cannot fit in the ${left} bytes left`);
    }
    const max = this.limits.maxEntries;
    if (n > max) throw overLimit('BinaryPack', `${what} of ${n} entries at offset ${this.pos}`, 'maxEntries', max);
  }
}
