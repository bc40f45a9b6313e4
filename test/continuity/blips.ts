import type { Client } from '../../core/client/client';
import type { Spark } from '../../core/spark';
import type { Session, ClientContinuityEvent } from '../../plugins/continuity';
import { continuityEnv, until } from './env';
import { FaultProxy } from '../helpers/proxy';
import { portOf } from '../helpers/net';

/** What one blip did to one client. */
export interface BlipResult {
  ms: number;
  recovered: boolean;
  reason?: string;
}

/** Counts over a whole run; a correct run has zeros in every error counter. */
export interface BlipStats {
  blips: BlipResult[];
  /** Messages server→client / client→server checked in order. */
  down: number;
  up: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Server-side `continuity` events with `recovered: false`. */
  serverGaps: number;
}

/** Checks one ordered sequence of integers: the next must be `last + 1`. */
class SequenceCheck {
  last = 0;
  /** After an announced gap the next value is accepted as the new start. */
  rebase = false;

  constructor(readonly stats: BlipStats) {}

  see(n: number): void {
    if (this.rebase) this.rebase = false;
    else if (n === this.last) this.stats.duplicated++;
    else if (n < this.last) this.stats.reordered++;
    else if (n > this.last + 1) this.stats.lost += n - this.last - 1;
    this.last = n;
  }
}

/**
 * Blips between clients and a continuity server: every client has its own
 * fault proxy and takes its share of `durations` one after the other,
 * clients in parallel. Both sides write a counter every `every` ms
 * (the server to each session, present or away), and both check what they
 * receive. A `recovered: false` rebases the check (the gap was announced).
 */
export async function runBlips(options: { clients: number; durations: number[]; window: number; every?: number; settle?: number }): Promise<BlipStats> {
  const every = options.every ?? 5;
  const settle = options.settle ?? 60;
  // History for a whole window of traffic, so only the window decides what is recovered.
  const maxMessages = Math.max(1000, Math.ceil((options.window / every) * 1.5));
  const env = await continuityEnv({ window: options.window, maxAge: Math.max(options.window, 1000), maxMessages });
  const stats: BlipStats = { blips: [], down: 0, up: 0, lost: 0, duplicated: 0, reordered: 0, serverGaps: 0 };
  const counters = new Map<Session, number>();
  const upChecks = new Map<number, SequenceCheck>();
  env.kernel.on('continuity', (_spark: Spark, info: { recovered: boolean }) => {
    if (!info.recovered) stats.serverGaps++;
  });
  env.kernel.on('connection', (spark: Spark) => {
    const session = spark.session!;
    if (!counters.has(session)) {
      counters.set(session, 0);
      session.once('close', () => counters.delete(session));
    }
    spark.on('data', (data) => {
      const m = data as { c: number; n: number };
      stats.up++;
      const check = upChecks.get(m.c)!;
      // A new session after a lost one: its first message starts a new sequence.
      if (spark.continuity !== null && spark.continuity.recovered === false && !(spark as { seen?: boolean }).seen) check.rebase = true;
      (spark as { seen?: boolean }).seen = true;
      check.see(m.n);
    });
  });
  const ticker = setInterval(() => {
    for (const [session, n] of counters) if (session.write(n + 1)) counters.set(session, n + 1);
  }, every);
  const proxies: FaultProxy[] = [];
  try {
    const share: number[][] = Array.from({ length: options.clients }, () => []);
    options.durations.forEach((ms, i) => share[i % options.clients].push(ms));
    await Promise.all(
      share.map(async (durations, c) => {
        const proxy = new FaultProxy(portOf(env.server));
        proxies.push(proxy);
        await proxy.listen();
        await runClient(env.client({}, proxy.url), proxy, c, durations, upChecks, stats, { every, settle });
      }),
    );
  } finally {
    clearInterval(ticker);
    for (const p of proxies) await p.close();
    await env.stop();
  }
  return stats;
}

async function runClient(
  client: Client,
  proxy: FaultProxy,
  c: number,
  durations: number[],
  upChecks: Map<number, SequenceCheck>,
  stats: BlipStats,
  { every, settle }: { every: number; settle: number },
): Promise<void> {
  const down = new SequenceCheck(stats);
  upChecks.set(c, new SequenceCheck(stats));
  const events: ClientContinuityEvent[] = [];
  client.on('continuity', (e: ClientContinuityEvent) => {
    events.push(e);
    if (!e.recovered) down.rebase = true;
  });
  let received = 0;
  client.on('data', (data) => {
    const n = data as number;
    stats.down++;
    received++;
    down.see(n);
  });
  let sent = 0;
  const writer = setInterval(() => {
    if (client.write({ c, n: sent + 1 })) sent++;
  }, every);
  try {
    await until(() => down.last > 0, 10_000, `client ${c} traffic`);
    for (const ms of durations) {
      const before = events.length;
      proxy.blip(ms);
      await until(() => events.length > before, ms + 15_000, `client ${c} continuity after a ${ms} ms blip`);
      const e = events[before];
      stats.blips.push({ ms, recovered: e.recovered, reason: e.reason });
      // Let traffic flow both ways before the next blip. Count arrivals, not
      // the sequence: after a lost session the server's counter starts again at 1.
      const seen = received;
      await until(() => received > seen + Math.ceil(settle / every / 2), 10_000, `client ${c} traffic after a blip`);
    }
    // Drain: everything written so far arrives.
    const target = sent;
    clearInterval(writer);
    await until(() => upChecks.get(c)!.last >= target, 10_000, `client ${c} messages to arrive`);
  } finally {
    clearInterval(writer);
  }
}

/** `n` durations from `min` to `max` ms, spaced geometrically. */
export function spread(n: number, min: number, max: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(min * Math.pow(max / min, i / (n - 1))));
}
