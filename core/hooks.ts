import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Step } from './transforms';
import type { Spark } from './spark';
import type { Kernel } from './kernel';
import { AllsparkError, ErrorCodes } from './errors';

/**
 * The server lifecycle, in the order a connection lives through it:
 * the kernel starts (`onInit`), HTTP requests and upgrades pass the
 * middleware (`onRequest`, `onUpgrade`), a spark connects (`onConnection`),
 * messages arrive and leave (`onMessage`, `onSend`), the spark goes
 * (`onDisconnection`) and finally the kernel shuts down (`onClose`).
 */
export const SERVER_HOOKS = [
  'onInit',
  'onRequest',
  'onUpgrade',
  'onConnection',
  'onMessage',
  'onSend',
  'onDisconnection',
  'onClose',
] as const;

export type ServerHookName = (typeof SERVER_HOOKS)[number];

/** Continue (`next()`) or fail the request (`next(err)`; `err.statusCode` sets the status). */
export type Next = (err?: unknown) => void;

export interface ServerHooks {
  /** All plugins are known and their options valid; the kernel is attaching to its server. */
  onInit: (kernel: Kernel) => void;
  /** An HTTP request under the pathname. Call `next()` to pass it on, or answer `res` yourself. */
  onRequest: (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  /** An upgrade request under the pathname, before the transformer accepts it. */
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, next: Next) => void;
  /** A spark connected. A returned Promise holds its incoming messages until it settles. */
  onConnection: (spark: Spark) => void | Promise<void>;
  /** A decoded incoming message, before `data` fires. Return `false` to drop it. */
  onMessage: Step<Spark>;
  /** An outgoing message, before it is encoded. Return `false` to drop it. */
  onSend: Step<Spark>;
  /** A spark ended (either side). */
  onDisconnection: (spark: Spark) => void;
  /** The kernel is closing; runs in reverse registration order. */
  onClose: () => void | Promise<void>;
}

/** Order a hook relative to other plugins' hooks, by plugin name (never by index). */
export interface HookOrder {
  before?: readonly string[];
  after?: readonly string[];
}

/** Options of a hook: its order, and for `onRequest`/`onUpgrade` what it does to the request. */
export interface HookOptions extends HookOrder {
  /**
   * `onRequest`/`onUpgrade` only: the hook adds nothing to the request but
   * enumerable string-keyed properties (values or accessors), and calls
   * `exposeRequest(req)` before it hands the request to code it cannot
   * vouch for. `spark.request` is then copied from the request's enumerable
   * keys instead of from every own key, which saves microseconds per
   * connection. Default false.
   */
  plainRequest?: boolean;
}

interface HookEntry<F> extends HookOptions {
  readonly plugin: string;
  readonly fn: F;
}

/** Throw unless `name` is a known hook. */
function assertHookName(name: string): asserts name is ServerHookName {
  if (!(SERVER_HOOKS as readonly string[]).includes(name)) {
    throw new AllsparkError(
      ErrorCodes.HOOK,
      `Unknown hook "${name}"; expected one of ${SERVER_HOOKS.join(', ')}`,
    );
  }
}

/**
 * Sort hook entries: registration order, except where `before`/`after`
 * constraints say otherwise (stable topological sort). Constraints naming
 * plugins that have no hook here are ignored.
 */
function orderHooks<F>(entries: readonly HookEntry<F>[]): HookEntry<F>[] {
  const n = entries.length;
  const edges: number[][] = entries.map(() => []);
  const indegree = new Array<number>(n).fill(0);
  const link = (from: number, to: number) => {
    edges[from].push(to);
    indegree[to]++;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      if (entries[i].before?.includes(entries[j].plugin)) link(i, j);
      if (entries[i].after?.includes(entries[j].plugin)) link(j, i);
    }
  }
  // A hook that must run before another takes that one's place in line, so
  // `before: ['x']` moves a hook to just ahead of x instead of to the front.
  const rank = entries.map((_, i) => i);
  for (let pass = 0; pass < n; pass++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      for (const j of edges[i]) {
        if (rank[j] < rank[i]) {
          rank[i] = rank[j];
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const out: HookEntry<F>[] = [];
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
  while (ready.length > 0) {
    ready.sort((a, b) => rank[a] - rank[b] || a - b);
    const i = ready.shift()!;
    out.push(entries[i]);
    for (const j of edges[i]) if (--indegree[j] === 0) ready.push(j);
  }
  if (out.length !== n) {
    throw new AllsparkError(ErrorCodes.HOOK, 'Hook ordering has a cycle in its before/after constraints');
  }
  return out;
}

/** Hook functions in run order, frozen; `null` when a hook has none (one test on the hot path). */
export type HookLists = { [N in ServerHookName]: readonly ServerHooks[N][] | null };

/**
 * Every plugin's hooks, and the ordered, frozen lists the message path
 * reads. Lists are rebuilt only when a hook is added or removed.
 */
export class HookTable {
  readonly lists: HookLists = Object.fromEntries(SERVER_HOOKS.map((n) => [n, null])) as unknown as HookLists;
  /** Every `onRequest` and `onUpgrade` hook was added with `plainRequest: true` (or there is none). */
  plainRequests = true;
  readonly #entries = new Map<ServerHookName, HookEntry<ServerHooks[ServerHookName]>[]>();

  /** Add `fn` to hook `name` for `plugin`; returns its remover. */
  add<N extends ServerHookName>(plugin: string, name: N, fn: ServerHooks[N], options?: HookOptions): () => void {
    assertHookName(name);
    const entry: HookEntry<ServerHooks[ServerHookName]> = { plugin, fn, ...options };
    const list = this.#entries.get(name) ?? [];
    list.push(entry);
    this.#entries.set(name, list);
    this.#rebuild(name);
    return () => {
      const at = list.indexOf(entry);
      if (at !== -1) list.splice(at, 1);
      this.#rebuild(name);
    };
  }

  /** The entries of hook `name`, in run order. */
  ordered<N extends ServerHookName>(name: N): HookEntry<ServerHooks[N]>[] {
    return orderHooks(this.#entries.get(name) ?? []) as HookEntry<ServerHooks[N]>[];
  }

  /** Drop every hook of `plugin`. */
  forget(plugin: string): void {
    for (const [name, list] of this.#entries) {
      const kept = list.filter((e) => e.plugin !== plugin);
      if (kept.length === list.length) continue;
      list.length = 0;
      list.push(...kept);
      this.#rebuild(name);
    }
  }

  #rebuild(name: ServerHookName): void {
    const ordered = this.ordered(name);
    (this.lists as Record<string, unknown>)[name] = ordered.length > 0 ? Object.freeze(ordered.map((e) => e.fn)) : null;
    if (name === 'onRequest' || name === 'onUpgrade') {
      const plain = (list: readonly HookEntry<unknown>[] | undefined) => (list ?? []).every((e) => e.plainRequest === true);
      this.plainRequests = plain(this.#entries.get('onRequest')) && plain(this.#entries.get('onUpgrade'));
    }
  }
}
