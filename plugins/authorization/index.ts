import { z } from 'zod/v3';
import type { IncomingMessage } from 'node:http';
import { definePlugin } from '../../core/plugin';
import { fn } from '../../core/options';
import type { Next } from '../../core/hooks';
import { AllsparkError, ErrorCodes, describe } from '../../core/errors';
import { RESPONSE_HEADERS } from '../../core/http';
import { exposeRequest } from '../../core/request';
import { addLayer } from '../middleware';

/** `done()` accepts, `done(err)` rejects (`err.statusCode`, default 401; `err.authenticate` sets WWW-Authenticate). */
export type Authorizer = (this: any, req: IncomingMessage, done: (err?: unknown) => void) => void | Promise<unknown>;

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

/**
 * The error to answer with: 401 unless it carries a `statusCode`. Strings
 * and plain objects (`{ message, statusCode, authenticate }`) are allowed,
 * as in Primus, whose body is `err.message || err`.
 */
function rejection(err: unknown): unknown {
  let error: Error & { statusCode?: unknown; authenticate?: unknown };
  if (err instanceof Error) {
    error = err;
    if (typeof error.statusCode !== 'number') error.statusCode = 401;
  } else {
    const fields = (err !== null && typeof err === 'object' ? err : {}) as {
      message?: unknown;
      statusCode?: unknown;
      authenticate?: unknown;
    };
    const message = typeof fields.message === 'string' && fields.message !== '' ? fields.message : describe(err);
    const statusCode = typeof fields.statusCode === 'number' ? fields.statusCode : 401;
    error = new AllsparkError(ErrorCodes.UNAUTHORIZED, message, { statusCode });
    if (typeof fields.authenticate === 'string') error.authenticate = fields.authenticate;
  }
  // WWW-Authenticate goes with 401 answers only.
  if (error.statusCode === 401 && typeof error.authenticate === 'string') {
    Object.assign(error, { [RESPONSE_HEADERS]: { 'WWW-Authenticate': error.authenticate } });
  }
  return error;
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
    // A `function` layer: Primus calls the authorizer with `this` = the server, which the facade sets as the layers' `this`.
    function authorizationLayer(this: unknown, req: IncomingMessage, _res: unknown, next: Next): void {
      const authorize = state.authorize;
      if (authorize === null) return next();
      // The authorizer may add anything to the request (`req.user`, symbols, accessors).
      exposeRequest(req);
      let settled = false;
      const done = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        next(err ? rejection(err) : undefined);
      };
      try {
        const result = authorize.call(this, req, done);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(() => done(), (err) => done(err ?? new Error('Unauthorized')));
        }
      } catch (err) {
        done(err);
      }
    }
    addLayer(ctx, 'authorization', Object.assign(authorizationLayer, { plainRequest: true }));
  },
});
