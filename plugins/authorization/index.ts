import { z } from 'zod';
import type { IncomingMessage } from 'node:http';
import { definePlugin } from '../../core/plugin';
import { fn } from '../../core/options';
import type { Next } from '../../core/hooks';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import { addLayer } from '../middleware';

/** `done()` accepts, `done(err)` rejects (`err.statusCode`, default 401; `err.authenticate` sets WWW-Authenticate). */
export type Authorizer = (req: IncomingMessage, done: (err?: unknown) => void) => void | Promise<unknown>;

/** Registry token of the mutable {@link AuthorizationState}. */
export const AUTHORIZATION = Symbol('authorization');

export interface AuthorizationState {
  authorize: Authorizer | null;
}

export const authorizationOptions = z
  .object({
    /** The authorizer; can also be set later (`primus.authorize(fn)`). */
    authorize: fn<Authorizer>().optional(),
  })
  .strict();

function rejection(err: unknown): unknown {
  if (err && typeof err === 'object') {
    const e = err as { statusCode?: number };
    if (typeof e.statusCode !== 'number') e.statusCode = 401;
    return e;
  }
  return new AllsparkError(ErrorCodes.UNAUTHORIZED, describe(err), { statusCode: 401 });
}

/**
 * Runs the authorizer for every request and upgrade under the pathname.
 * A rejection answers the handshake with 401 (or `err.statusCode`) and
 * `{"error": message}`; async authorizers may return a Promise.
 */
export const authorization = definePlugin({
  name: 'authorization',
  dependencies: ['middleware'],
  options: authorizationOptions,
  server(ctx, options) {
    const state: AuthorizationState = { authorize: options.authorize ?? null };
    ctx.provide(AUTHORIZATION, state);
    addLayer(ctx, 'authorization', (req: IncomingMessage, _res: unknown, next: Next) => {
      const authorize = state.authorize;
      if (authorize === null) return next();
      let settled = false;
      const done = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        next(err ? rejection(err) : undefined);
      };
      try {
        const result = authorize(req, done);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(() => done(), (err) => done(err ?? new Error('Unauthorized')));
        }
      } catch (err) {
        done(err);
      }
    });
  },
});
