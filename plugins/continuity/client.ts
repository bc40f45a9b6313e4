import type { Client } from '../../core/client/client';
import type { ClientLedger, ClientPluginHalf } from '../../core/client/types';
import type { Frame } from '../../core/types';
import { controlMessage } from '../../core/control';
import { Outbox } from './outbox';
import { ACK, END, HELLO, RESUME_PARAM, formatResume, frameHash, parseHello, randomToken, type GapReason } from './protocol';

export interface ContinuityClientOptions {
  /** Unacknowledged messages kept at most; `write()` returns false beyond. Default 1024. */
  maxUnacked: number;
  /** Bytes of unacknowledged messages kept at most. Default 1 MiB. */
  maxUnackedBytes: number;
  /** Acknowledge received messages after this many… Default 32. */
  ackEvery: number;
  /** …or after this many ms. Default 100. */
  ackDelay: number;
  /** ms to wait for the server's hello before treating the server as plain. Default 10000. */
  helloTimeout: number;
}

declare module '../../core/client/types' {
  interface ClientEvents {
    /** The session was resumed, or lost (`reason`, `pending`). (continuity plugin) */
    continuity: [event: ClientContinuityEvent];
  }
}

/** What the client's `continuity` event carries. */
export interface ClientContinuityEvent {
  recovered: boolean;
  reason?: GapReason | 'capacity' | 'unsupported';
  /** Messages written but never acknowledged, when the session was lost: processed or not, nobody knows. */
  pending?: unknown[];
}

/**
 * - `flow`: never had a hello; sends at once (a plain server must see today's protocol).
 * - `hold`: a session to resume; data waits for the hello.
 * - `on`: negotiated and flowing.
 * - `off`: the server is plain; the ledger is gone.
 */
type Phase = 'flow' | 'hold' | 'on' | 'off';

/** One client's side of its resumable session. */
class ClientSession implements ClientLedger {
  session = randomToken();
  token = randomToken();
  epoch = '';
  /** Offset of the last server message received (implicit: counted). */
  offset = 0;
  /** That message's frame, for the hash the resume request carries. */
  last: Frame | undefined;
  phase: Phase = 'flow';
  /** A hello arrived once: this client has a session to resume. */
  established = false;
  /** A connection was lost before any hello: the next one waits for it too. */
  lostEarly = false;
  /** Open and allowed to send data. */
  #connected = false;
  /** Highest sequence number sent on the current connection. */
  #sent = 0;
  #ackedOffset = 0;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;
  readonly outbox: Outbox;

  constructor(
    readonly client: Client,
    readonly options: ContinuityClientOptions,
  ) {
    this.outbox = new Outbox(options.maxUnacked, options.maxUnackedBytes);
  }

  post(data: unknown): boolean {
    const client = this.client;
    if (this.outbox.full) {
      report(client, 'ALLSPARK_CONTINUITY_FULL', `Continuity: ${this.outbox.length} messages (${this.outbox.bytes} bytes) wait for acknowledgement; write() refused`);
      return false;
    }
    let frame: Frame | undefined;
    try {
      frame = client.parser!.encode(data);
    } catch (err) {
      report(client, 'ALLSPARK_ENCODE', `Failed to encode outgoing data: ${(err as Error).message}`);
      return false;
    }
    if (frame === undefined) return true;
    const seq = this.outbox.push(frame);
    if (!this.#connected || this.phase === 'hold') return true;
    this.#sent = seq;
    return client.transport!.send(frame);
  }

  received(frame: Frame): boolean {
    if (this.phase !== 'on') {
      // Data before any hello: the server does not speak continuity.
      this.#plain('unsupported');
      return true;
    }
    this.offset++;
    this.last = frame;
    if (this.offset - this.#ackedOffset >= this.options.ackEvery) this.flushAck();
    else if (this.#ackTimer === undefined) this.#ackTimer = setTimeout(this.flushAck, this.options.ackDelay);
    return true;
  }

  /** A connect begins (before its URL is built): ask for the session in the URL. */
  opening = (): void => {
    if (this.phase === 'off') return;
    this.phase = this.established || this.lostEarly ? 'hold' : 'flow';
    this.#sent = this.outbox.headSeq - 1;
    this.client.connectQuery[RESUME_PARAM] = formatResume({
      session: this.session,
      token: this.token,
      epoch: this.epoch,
      offset: this.offset,
      hash: this.offset > 0 && this.last !== undefined ? frameHash(this.last) : '',
      seq: this.outbox.headSeq,
    });
  };

  /** `incoming::open`: in `flow`, send what waited; wait for the hello either way. */
  opened = (): void => {
    if (this.phase === 'off') return;
    this.#connected = true;
    clearTimeout(this.#helloTimer);
    this.#helloTimer = setTimeout(this.#noHello, this.options.helloTimeout);
    if (this.phase === 'flow') this.#flush();
  };

  /** The connection is gone: timers stop; the outbox waits for the next one. */
  closed = (): void => {
    if (this.phase === 'flow' && this.#connected) this.lostEarly = true;
    this.stop();
  };

  /** `outgoing::end`: the client ends for good; a negotiated server may forget the session now. */
  ended = (): void => {
    if (this.phase === 'on' && this.#connected) {
      const frame = this.client.parser!.encode(controlMessage(END));
      if (frame !== undefined) this.client.transport!.send(frame);
    }
    this.stop();
  };

  stop = (): void => {
    this.#connected = false;
    clearTimeout(this.#helloTimer);
    clearTimeout(this.#ackTimer);
    this.#helloTimer = this.#ackTimer = undefined;
  };

  hello = (_client: Client, value: string): void => {
    const hello = parseHello(value);
    if (hello === undefined || this.phase === 'off' || this.phase === 'on') return;
    clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
    if (hello.s === '') return this.#plain('capacity');
    const announce = this.established || hello.r === 0;
    const event: ClientContinuityEvent = hello.r === 1 ? { recovered: true } : { recovered: false, reason: hello.why };
    if (hello.s !== this.session) {
      // A new session: what the old one never acknowledged goes back to the application.
      event.pending = this.#takePending();
      this.last = undefined;
    } else if (hello.r === 0) {
      this.last = undefined;
    }
    this.session = hello.s;
    this.token = hello.t;
    this.epoch = hello.e;
    this.offset = this.#ackedOffset = hello.o;
    this.established = true;
    this.lostEarly = false;
    const held = this.phase === 'hold';
    this.phase = 'on';
    // Re-send from the sequence number the URL announced; the server drops what it processed.
    if (held) this.#flush();
    this.outbox.acknowledge(hello.a);
    // Acknowledge at once: it confirms the new token (the old one dies).
    this.#ackedOffset = -1;
    this.flushAck();
    if (announce) this.client.emit('continuity', event);
  };

  /** The server processed every message up to `value`. */
  acknowledged = (_client: Client, value: string): void => {
    const seq = Number(value);
    if (this.phase === 'on' && Number.isSafeInteger(seq)) this.outbox.acknowledge(seq);
  };

  flushAck = (): void => {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (!this.#connected || this.offset === this.#ackedOffset) return;
    this.#ackedOffset = this.offset;
    this.client.writeControl(ACK, this.offset);
  };

  /** Send every kept frame not sent on this connection yet, in order. */
  #flush(): void {
    const transport = this.client.transport!;
    for (let seq = this.#sent + 1; seq < this.outbox.nextSeq; seq++) transport.send(this.outbox.at(seq)!);
    this.#sent = this.outbox.nextSeq - 1;
  }

  #noHello = (): void => {
    this.#helloTimer = undefined;
    this.#plain('unsupported');
  };

  /** The server will not resume: plain from now on; unacknowledged messages of a session go back to the application. */
  #plain(reason: 'unsupported' | 'capacity'): void {
    const had = this.established || this.phase === 'hold';
    const pending = had ? this.#takePending() : (this.outbox.drain(), []);
    this.phase = 'off';
    this.stop();
    this.client.ledger = null;
    delete this.client.connectQuery[RESUME_PARAM];
    if (had || reason === 'capacity') this.client.emit('continuity', { recovered: false, reason, pending } satisfies ClientContinuityEvent);
  }

  #takePending(): unknown[] {
    const parser = this.client.parser!;
    return this.outbox.drain().map((frame) => parser.decode(frame));
  }
}

/**
 * Client half of `continuity`: numbers and keeps outgoing messages until
 * the server acknowledges them, counts incoming ones, and resumes the
 * session on every reconnect. Inert against a server without continuity.
 */
export const continuityClient: ClientPluginHalf<ContinuityClientOptions> = (client, defaults) => {
  if (client.options.continuity === false) return;
  const own = (typeof client.options.continuity === 'object' ? client.options.continuity : {}) as Partial<ContinuityClientOptions>;
  const state = new ClientSession(client, { ...defaults, ...own });
  client.ledger = state;
  (client as Client & { continuity?: ClientSession }).continuity = state;
  // The client emits `continuity` itself: never an application event (the events plugin would send it).
  client.reserved.events.continuity = 1;
  client.control(HELLO, state.hello);
  client.control(ACK, state.acknowledged);
  // Before the URL is built (`outgoing::open` comes after dialling).
  client.on('readyStateChange', (change: string) => {
    if (change === 'opening') state.opening();
  });
  client.on('incoming::open', state.opened);
  client.on('incoming::end', state.closed);
  client.on('outgoing::end', state.ended);
  return state.stop;
};

/** An error event with a stable code (a plain Error keeps the error table out of the browser bundle). */
function report(client: Client, code: string, message: string): void {
  if (client.listenerCount('error') > 0) client.emit('error', Object.assign(new Error(message), { code }));
}

export type { ClientSession };
