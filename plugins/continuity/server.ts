import type { ServerContext } from '../../core/context';
import type { Spark } from '../../core/spark';
import type { Frame } from '../../core/types';
import type { MessageLedger } from '../../core/ledger';
import { Slots } from '../../core/slots';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { ACK, END, HELLO, RESUME_PARAM, parseResume, type GapReason, type Hello, type ResumeRequest } from './protocol';
import type { Claim, ContinuityStore } from './store';
import type { Session } from './session';
import { AckBatcher } from './acks';

/** What `continuity` events carry, on the kernel and as `spark.continuity`. */
export interface ContinuityInfo {
  /** True when the session continued without a gap. */
  recovered: boolean;
  /** Why not (see docs/continuity.md). */
  reason?: GapReason;
  /** The session (absent when refused for capacity). */
  session?: Session;
}

declare module '../../core/events' {
  interface KernelEvents {
    /** A continuity client connected: `info` says whether its session was resumed (also `spark.continuity`). (continuity plugin) */
    continuity: [spark: Spark, info: ContinuityInfo];
  }
}

declare module '../../facade/events' {
  interface PrimusEvents {
    /** The kernel's `continuity` event, passed on (continuity plugin, used with `primus.kernel.use(continuity)` or the `cluster`…`continuity` options). */
    continuity: [spark: Spark, info: ContinuityInfo];
  }
}

declare module '../../core/spark' {
  interface SparkDecorations {
    /** The resumable session of a continuity client; null for plain clients. */
    session: Session | null;
    /** How this connection started: null for a new session or a plain client. */
    continuity: ContinuityInfo | null;
  }
}

export interface ServerSettings {
  store: ContinuityStore;
  ackEvery: number;
  ackDelay: number;
  identify?: (spark: Spark) => string | undefined;
}

/**
 * Numbers data messages of continuity sparks: every frame sent is appended
 * to the session's stream (its offset is implicit: the client counts too),
 * every message received gets the next sequence number and is dropped when
 * it was processed before. One property read for plain sparks.
 */
class SessionLedger implements MessageLedger {
  /** The store records what was processed (a shared store: another node must drop it too). */
  readonly track: boolean;

  constructor(
    readonly settings: ServerSettings,
    readonly acks: AckBatcher,
  ) {
    this.track = settings.store.received !== undefined;
  }

  /** A clock read per message: updated by a timer, not asked of the system per message. */
  now = Date.now();

  sending(spark: Spark, frame: Frame): void {
    const session = spark.session;
    if (session != null && session.spark === spark) this.settings.store.append(session, frame, this.now);
  }

  received(spark: Spark): boolean {
    const session = spark.session;
    if (session == null) return true;
    // A connection the client already replaced (it resumed elsewhere): what still trickles in was re-sent there.
    if (session.spark !== spark) return false;
    const seq = session.inbound++;
    if (seq <= session.processed) return false;
    session.processed = seq;
    if (this.track) this.settings.store.received!(session);
    this.acks.processed(session, seq);
    return true;
  }
}

/** The server half: negotiation, resume, replay, acknowledgements, detach. Returns its teardown. */
export function startServer(ctx: ServerContext, settings: ServerSettings): () => void {
  const kernel = ctx.kernel;
  const { store } = settings;
  const acks = new AckBatcher(settings.ackEvery, settings.ackDelay);
  const ledger = new SessionLedger(settings, acks);
  ctx.provide(Slots.ledger, ledger);
  // Message times only bound how long history is kept: a quarter-second clock is plenty.
  const clock = setInterval(() => (ledger.now = Date.now()), 250);
  clock.unref();
  ctx.decorateSpark('session', { value: null, writable: true });
  ctx.decorateSpark('continuity', { value: null, writable: true });

  // The client has every message up to the offset: trim, and its newest token is confirmed.
  ctx.control(ACK, (spark, value) => {
    const session = spark.session;
    const offset = Number(value);
    if (session == null || session.spark !== spark || !Number.isSafeInteger(offset) || offset < 0) return;
    store.acknowledge(session, Math.min(offset, session.stream.top));
  });

  // The client ended for good: nothing will resume this session.
  ctx.control(END, (spark) => {
    const session = spark.session;
    if (session == null || session.spark !== spark) return;
    session.spark = null;
    store.forget(session);
  });

  const settle = (spark: Spark, request: ResumeRequest | undefined, claim: Claim): void => {
    if (spark.readyState !== 3 /* OPEN */) {
      if (claim.outcome !== 'refused' && claim.outcome !== 'retry' && claim.session.spark === null) store.detach(claim.session, Date.now());
      return;
    }
    if (claim.outcome === 'retry') {
      // Nothing can be verified now: the client keeps everything and comes back (reconnect), nothing is replayed.
      ctx.log('warn', new AllsparkError(ErrorCodes.CONTINUITY, `Continuity store unavailable: spark ${spark.id} is sent to reconnect`));
      announce(spark, { recovered: false, reason: claim.reason });
      spark.end(undefined, { reconnect: true });
      return;
    }
    if (claim.outcome === 'refused') {
      ctx.log('warn', new AllsparkError(ErrorCodes.CONTINUITY, 'Continuity refused a new session: maxSessions reached and no session is away'));
      const hello: Hello = { s: '', t: '', e: '', o: 0, a: 0, r: 0, why: 'capacity' };
      spark.writeControl(HELLO, JSON.stringify(hello));
      return announce(spark, { recovered: false, reason: 'capacity' });
    }
    const session = claim.session;
    takeOver(session, spark);
    store.attach(session);
    session.inbound = request?.seq ?? 1;
    if (claim.outcome === 'new' || claim.outcome === 'lost') session.processed = session.inbound - 1;
    session.acked = session.processed;
    const reason = claim.outcome === 'gap' || claim.outcome === 'lost' ? claim.reason : undefined;
    const recovered = reason === undefined;
    const hello: Hello = { s: session.id, t: session.token, e: session.stream.epoch, o: claim.offset, a: session.processed, r: recovered ? 1 : 0 };
    if (!recovered) hello.why = reason;
    spark.writeControl(HELLO, JSON.stringify(hello));
    if (claim.outcome === 'resumed') for (const frame of claim.replay) spark.writeFrame(frame);
    session.emit('attach', spark);
    if (claim.outcome === 'new') return;
    if (!recovered) ctx.log('warn', new AllsparkError(ErrorCodes.CONTINUITY, `Continuity could not resume session of spark ${spark.id}: ${reason}`));
    announce(spark, recovered ? { recovered, session } : { recovered, reason, session });
  };

  /** The spark is the session's now; a stalled older connection of the same client is ended. */
  const takeOver = (session: Session, spark: Spark): void => {
    const old = session.spark;
    session.spark = spark;
    session.kernel = kernel;
    spark.session = session;
    // The old spark keeps pointing at the session, so the ledger drops what still arrives on it.
    if (old !== null && old !== spark) old.end(undefined, { reconnect: true });
  };

  const announce = (spark: Spark, info: ContinuityInfo): void => {
    spark.continuity = info;
    kernel.emit('continuity', spark, info);
  };

  // First of all connection hooks: the hello must be the first frame, and the
  // session attached before anyone (the Primus facade's `connection`) writes.
  const earlier = kernel.plugins().map((p) => p.definition.name).filter((name) => name !== ctx.plugin);
  ctx.hook(
    'onConnection',
    (spark) => {
      const raw = spark.query[RESUME_PARAM];
      if (raw === undefined) return;
      const request = parseResume(Array.isArray(raw) ? raw[0] : raw);
      const identity = settings.identify?.(spark);
      const claim = store.claim(request, identity, Date.now());
      if (typeof (claim as Promise<Claim>).then !== 'function') return settle(spark, request, claim as Claim);
      return (claim as Promise<Claim>).then((c) => settle(spark, request, c));
    },
    { before: earlier },
  );

  ctx.hook('onDisconnection', (spark) => {
    const session = spark.session;
    if (session == null || session.spark !== spark) return;
    acks.forget(session);
    session.spark = null;
    store.detach(session, Date.now());
    session.emit('detach');
  });
  return () => {
    clearInterval(clock);
    acks.stop();
  };
}
