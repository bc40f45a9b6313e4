import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kernel } from './kernel';
import type { HookTable } from './hooks';
import { AllsparkError, ErrorCodes } from './errors';
import { runMiddleware, respondError, rejectUpgrade, type ClaimedPaths, type KernelRequest } from './http';
import { exposeRequest } from './request';
import { tooManyConnections } from './overload';

/**
 * The kernel's door for HTTP: requests and upgrades it took over pass the
 * connection limit and the request hooks on their way to the transformer.
 * Also keeps the paths outside the pathname that plugins claimed.
 */
export class RequestEntry implements ClaimedPaths {
  /** Request paths outside the pathname that plugins serve, with the plugin that claimed each. */
  readonly #claimedPaths = new Map<string, string>();
  /** New connections are being refused (`maxConnections`): logged once until the count drops. */
  #refusing = false;

  readonly #kernel: Kernel;
  readonly #hookTable: HookTable;

  constructor(kernel: Kernel, hookTable: HookTable) {
    this.#kernel = kernel;
    this.#hookTable = hookTable;
  }

  /** Is `path` claimed by a plugin (see {@link claim})? */
  has(path: string): boolean {
    return this.#claimedPaths.has(path);
  }

  /** Route requests for the exact `path` to the kernel for `plugin` (see `ctx.claimPath`). */
  claim(plugin: string, path: string): void {
    const owner = this.#claimedPaths.get(path);
    if (owner !== undefined && owner !== plugin) {
      throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `Plugin "${plugin}" cannot claim the path "${path}": plugin "${owner}" serves it`);
    }
    this.#claimedPaths.set(path, plugin);
  }

  /** Release the paths `plugin` claimed. */
  forget(plugin: string): void {
    for (const [path, owner] of this.#claimedPaths) if (owner === plugin) this.#claimedPaths.delete(path);
  }

  /** A spark closed: a refusal is logged again the next time the limit is reached. */
  connectionClosed(): void {
    this.#refusing = false;
  }

  onRequest = (req: KernelRequest, res: ServerResponse): void => {
    if (this.#atCapacity(req, false)) return respondError(res, this.#refusal());
    const kernel = this.#kernel;
    const hooks = kernel.hooks.onRequest;
    if (hooks === null) return kernel.transformer.handleRequest(req, res);
    if (!this.#hookTable.plainRequests) exposeRequest(req);
    const done = (err?: unknown): void => {
      if (err !== undefined && err !== null) respondError(res, err);
      else kernel.transformer.handleRequest(req, res);
    };
    if (hooks.length > 1) return runMiddleware(hooks, [req, res], done);
    try {
      hooks[0](req, res, done);
    } catch (err) {
      done(err);
    }
  };

  /**
   * An upgrade under the pathname: its hooks, then the transformer. Without
   * hooks (a plain kernel) it goes straight on; one hook (the middleware
   * plugin) gets the continuation itself, with no argument list or stepping
   * closure per connection.
   */
  onUpgrade = (req: KernelRequest, socket: Duplex, head: Buffer): void => {
    if (this.#atCapacity(req, true)) return rejectUpgrade(socket, this.#refusal());
    const kernel = this.#kernel;
    const hooks = kernel.hooks.onUpgrade;
    if (hooks === null) return kernel.transformer.handleUpgrade(req, socket, head);
    // Hooks that do not vouch for the request (`plainRequest`) may add anything to it.
    if (!this.#hookTable.plainRequests) exposeRequest(req);
    const done = (err?: unknown): void => {
      if (err !== undefined && err !== null) rejectUpgrade(socket, err);
      else kernel.transformer.handleUpgrade(req, socket, head);
    };
    if (hooks.length > 1) return runMiddleware(hooks, [req, socket, head], done);
    try {
      hooks[0](req, socket, head, done);
    } catch (err) {
      done(err);
    }
  };

  /** Would this request open a connection while `maxConnections` sparks are open? */
  #atCapacity(req: KernelRequest, upgrade: boolean): boolean {
    const max = this.#kernel.options.maxConnections;
    if (max === undefined || this.#kernel.connections.size < max) return false;
    return this.#kernel.transformer.opensConnection?.(req, upgrade) ?? upgrade;
  }

  #refusal(): AllsparkError {
    const err = tooManyConnections(this.#kernel.options.maxConnections!);
    if (!this.#refusing) {
      this.#refusing = true;
      this.#kernel.log('warn', err);
      this.#kernel.emit('overload', err);
    }
    return err;
  }
}
