/**
 * Types shared by the server kernel and the client kernel. This file has no
 * runtime code so the browser bundle can import it freely.
 */

/** One transport-level unit: text for text parsers, bytes for binary ones. */
export type Frame = string | Uint8Array | ArrayBuffer;

/**
 * A message codec. Synchronous on purpose: the message path calls it once per
 * frame and must not allocate a Promise or closure for it.
 */
export interface Parser {
  /** Lower-case name, as reported by the `spec` route (`json`, `msgpack`, …). */
  readonly name: string;
  /** True when frames are bytes, so the transport must carry binary. */
  readonly binary: boolean;
  /**
   * Encode one value into one frame. Throws on failure. `undefined` result = send nothing.
   * `owner` is the spark or client sending it (absent for a broadcast); Primus's custom
   * parsers see it as `this`.
   */
  encode(data: unknown, owner?: object): Frame | undefined;
  /** Decode one frame into one value, for `owner` (the receiving spark or client). Throws on failure. */
  decode(frame: Frame, owner?: object): unknown;
}

/**
 * A message on its way through the transforms. Transforms may replace `data`.
 * `raw` is the frame it was decoded from (incoming only).
 */
export interface Packet {
  data: unknown;
  raw?: Frame;
}

/**
 * A broadcast frame prepared once for every connection: `frame` is the
 * encoded message; `wire` is whatever the transformer precomputed from it
 * (for WebSockets, the complete frame bytes).
 */
export interface PreparedFrame {
  readonly frame: Frame;
  readonly wire?: unknown;
}
