import type { Client } from '../../core/client/client';
import type { ClientPluginHalf, LostReason } from '../../core/client/types';
import { backoffSettings, delayFor, toMs, type BackoffSettings, type ReconnectState } from './backoff';
import { parseStrategy, type StrategyName } from './strategy';

declare module '../../core/client/types' {
  /** Primus 8's reconnect events; every one carries the cycle's {@link ReconnectState}. */
  interface ClientEvents {
    'reconnect scheduled': [state: ReconnectState];
    reconnect: [state: ReconnectState];
    reconnected: [state: ReconnectState];
    'reconnect timeout': [err: Error, state: ReconnectState];
    'reconnect failed': [err: Error, state: ReconnectState];
    /** The connect timeout passed before the connection opened. */
    timeout: [];
    'outgoing::reconnect': [];
  }
}

export interface ReconnectClientOptions {
  strategy: StrategyName[];
  timeout: number | false;
  reconnect?: Partial<Record<keyof BackoffSettings, number | string>>;
}

/**
 * Randomised exponential back-off (spec §4.5) and the connect timeout.
 * It claims losses the strategy covers; the client kernel ends otherwise.
 */
export const reconnectClient: ClientPluginHalf<ReconnectClientOptions> = (client, defaults) => {
  const settings = backoffSettings(Object.assign({}, defaults.reconnect, client.options.reconnect as object | undefined));
  const strategy = parseStrategy(client.options.strategy, defaults.strategy);
  const connectTimeout = toMs(client.options.timeout ?? defaults.timeout, 0);
  const machine = new Reconnect(client, settings, strategy, connectTimeout);
  client.onLost((reason, err) => machine.lost(reason, err));
  client.on('outgoing::open', () => machine.opening());
  client.on('incoming::open', () => machine.opened());
  client.on('outgoing::end', () => machine.cancel());
  (client as Client & { recovery?: Reconnect }).recovery = machine;
  return () => machine.cancel();
};

/** One client's reconnect state machine. */
export class Reconnect {
  /** The running cycle, or null. */
  state: ReconnectState | null = null;
  #scheduled: ReturnType<typeof setTimeout> | undefined;
  #attemptTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #held = false;
  #pending = false;

  constructor(
    readonly client: Client,
    readonly settings: BackoffSettings,
    readonly strategy: Set<StrategyName>,
    readonly connectTimeout: number,
  ) {}

  /** The running cycle (Primus's `recovery.attempt`), or null. */
  get attempt(): ReconnectState | null {
    return this.state;
  }

  /** Stop the running cycle (Primus's `recovery.reset()`). */
  reset(): void {
    this.cancel();
  }

  /** Is a reconnect cycle running? */
  get reconnecting(): boolean {
    return this.state !== null;
  }

  /**
   * The network is down (offline plugin): cancel any pending attempt and,
   * until {@link release}, claim every loss without scheduling attempts,
   * so nothing dials while there is no network and nothing ends either.
   */
  hold(): void {
    const pending = this.state !== null;
    this.cancel();
    this.#pending = pending;
    this.#held = true;
  }

  /** The network is back: if a connection was lost while held, attempt at once (a new cycle). */
  release(): void {
    const pending = this.#pending;
    this.#held = this.#pending = false;
    if (pending) this.#schedule(0);
  }

  opening(): void {
    if (this.state !== null || !this.connectTimeout) return;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.client.readyState === 3 || this.state !== null) return;
      this.client.emit('timeout');
      this.client.lost('timeout');
    }, this.connectTimeout);
  }

  opened(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    // A connection opened, so the network works, whatever the browser said (localhost does offline).
    this.#held = this.#pending = false;
    const state = this.state;
    if (state === null) return;
    clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
    state.duration = Date.now() - state.start;
    this.state = null;
    this.client.emit('reconnected', state);
  }

  lost(reason: LostReason, err?: Error): boolean {
    const firstConnect = this.#connectTimer !== undefined;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    if (this.#held) {
      this.#pending = true;
      return true;
    }
    if (this.state !== null) {
      // A failed attempt: errors during reconnect attempts are not emitted (spec §4.5).
      clearTimeout(this.#attemptTimer);
      this.#attemptTimer = undefined;
      return this.#schedule();
    }
    if (reason === 'disconnect') return this.strategy.has('disconnect') && this.#schedule();
    if (reason === 'timeout') return this.strategy.has('timeout') && this.#schedule();
    if (reason === 'error' && (firstConnect || !this.connectTimeout) && this.strategy.has('timeout')) {
      // The client kernel always reports an `error` loss with its error.
      this.client.emit('error', err as Error);
      return this.#schedule();
    }
    return false;
  }

  cancel(): void {
    clearTimeout(this.#scheduled);
    clearTimeout(this.#attemptTimer);
    clearTimeout(this.#connectTimer);
    this.#scheduled = this.#attemptTimer = this.#connectTimer = undefined;
    this.state = null;
    this.#pending = false;
  }

  #schedule(delay?: number): boolean {
    if (this.#scheduled !== undefined) return true;
    const state = (this.state ??= Object.assign({}, this.settings, {
      start: Date.now(),
      duration: 0,
      attempt: 0,
      scheduled: 0,
      backoff: true,
    }));
    if (state.attempt >= state.retries) {
      this.#fail(state);
      return true;
    }
    state.attempt += 1;
    state.scheduled = delay ?? delayFor(state, state.attempt);
    // Timer first: a `reconnect scheduled` listener may call `end()`, which must find it to cancel.
    this.#scheduled = setTimeout(() => this.#attempt(state), state.scheduled);
    this.client.emit('reconnect scheduled', state);
    return true;
  }

  #attempt(state: ReconnectState): void {
    this.#scheduled = undefined;
    this.#attemptTimer = setTimeout(() => {
      this.#attemptTimer = undefined;
      this.client.emit('reconnect timeout', new Error('Reconnect attempt timed out'), state);
      this.client.transport?.close();
      this.#schedule();
    }, state['reconnect timeout']);
    this.client.emit('outgoing::reconnect');
    this.client.open();
    this.client.emit('reconnect', state);
  }

  #fail(state: ReconnectState): void {
    this.state = null;
    this.client.end();
    const err = Object.assign(new Error('Unable to recover'), { code: 'ALLSPARK_RECONNECT_FAILED' });
    this.client.emit('reconnect failed', err, state);
  }
}
