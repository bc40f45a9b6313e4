/**
 * What each transformer can and cannot do. The conformance suite runs the
 * same cases on all four; where a transformer truly cannot do something,
 * the case reads this table and asserts the limitation instead (a refusal
 * with a clear error, or the observable fallback). docs/transformers.md
 * lists the same facts.
 */
export type TransformerName = 'websockets' | 'faye' | 'engine.io' | 'sockjs';

export const TRANSFORMERS: readonly TransformerName[] = ['websockets', 'faye', 'engine.io', 'sockjs'];

export interface Capabilities {
  /** Carries binary frames, so binary parsers (msgpack, binary) work. */
  binary: boolean;
  /** Has HTTP fallbacks, so `websockets: false` clients still connect (over polling/streaming). */
  httpFallback: boolean;
  /** `compression: true` works with allspark's own dependencies (else it needs `permessage-deflate`). */
  builtinCompression: boolean;
  /** Spark id format when no idGenerator is set. */
  idPattern: RegExp;
  /** Client `transport` options that put a custom request header on the connection, in Node. */
  headerOption: ((name: string, value: string) => Record<string, unknown>) | null;
  /** Why, when `headerOption` is null. */
  headerLimitation?: string;
}

export const CAPABILITIES: Record<TransformerName, Capabilities> = {
  websockets: {
    binary: true,
    httpFallback: false,
    builtinCompression: true,
    idPattern: /^[\w-]{21}$/,
    headerOption: (name, value) => ({ headers: { [name]: value } }),
  },
  faye: {
    binary: true,
    httpFallback: false,
    builtinCompression: false,
    idPattern: /^[\w-]{21}$/,
    headerOption: (name, value) => ({ headers: { [name]: value } }),
  },
  'engine.io': {
    binary: true,
    httpFallback: true,
    builtinCompression: true,
    idPattern: /^[\w-]{20}$/,
    headerOption: (name, value) => ({ extraHeaders: { [name]: value } }),
  },
  sockjs: {
    binary: false,
    httpFallback: true,
    builtinCompression: false,
    idPattern: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    headerOption: (name, value) => ({ transportOptions: { websocket: { headers: { [name]: value } } } }),
  },
};

/** Why the binary-parser case is replaced by a refusal test on SockJS. */
export const SOCKJS_TEXT_ONLY =
  'SockJS frames are JSON strings (a["…"]): bytes cannot travel, so binary parsers are refused when the kernel attaches';

/** Why `compression: true` is refused on faye and sockjs. */
export const DEFLATE_NEEDS_PACKAGE =
  'faye-websocket (also under sockjs) negotiates permessage-deflate only through the optional permessage-deflate package, which allspark does not depend on';

/** Why websockets/faye ignore `websockets: false`. */
export const NO_HTTP_FALLBACK = 'websockets and faye speak WebSocket only: a plain GET is answered 426 Upgrade Required';

/**
 * Primus 8's SockJS client asks for `info: { websocket: false }` when told
 * `websockets: false`, an option sockjs-client 1.x (which Primus 8 bundles)
 * no longer reads: it keeps using WebSocket. Our client passes a transports
 * list without `websocket` instead.
 */
export const PRIMUS8_SOCKJS_KEEPS_WEBSOCKET = 'sockjs-client 1.x ignores the info.websocket option Primus 8 sets';
