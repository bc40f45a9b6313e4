import type { Frame, Parser } from '../../core/types';

const textDecoder = typeof TextDecoder === 'function' ? new TextDecoder() : undefined;

/** JSON text of a frame (text carried in binary frames too, spec §7.28). */
export function jsonText(frame: Frame): string {
  return typeof frame === 'string' ? frame : textDecoder!.decode(frame as Uint8Array);
}

/**
 * The JSON codec without decode limits, for the browser library. A page
 * decodes only what its own server sends, and the client turns any
 * `JSON.parse` failure into an `error` event; the limits (parser.ts) guard
 * servers and Node clients, and would add a kilobyte to every page.
 */
export const plainJsonParser: Parser = {
  name: 'json',
  binary: false,
  encode(data: unknown): Frame | undefined {
    return JSON.stringify(data);
  },
  decode(frame: Frame): unknown {
    return JSON.parse(jsonText(frame));
  },
};
