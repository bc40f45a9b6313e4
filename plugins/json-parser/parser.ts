import type { Frame, Parser } from '../../core/types';

const textDecoder = typeof TextDecoder === 'function' ? new TextDecoder() : undefined;

/**
 * JSON text frames, as Primus's `json` parser: non-string frames are passed
 * through undecoded on the wire level, except that we decode text carried in
 * binary frames too, so a JSON server never hands raw bytes to `data`
 * (Primus does, spec §7.28).
 */
export const jsonParser: Parser = {
  name: 'json',
  binary: false,
  encode(data: unknown): Frame | undefined {
    return JSON.stringify(data);
  },
  decode(frame: Frame): unknown {
    if (typeof frame === 'string') return JSON.parse(frame);
    return JSON.parse(textDecoder!.decode(frame as Uint8Array));
  },
};
