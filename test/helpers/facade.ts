import type { Server } from 'node:http';
import { Primus, type PrimusOptions } from '../../index';
import { httpServer, closeServer } from './net';

/** Each test's HTTP server, and `primus(options)`: a facade on it that is destroyed after the test. */
export interface FacadeTest {
  /** A fresh server before each test (a test may close it and put another here). */
  http: Server;
  primus(options: PrimusOptions): Primus;
  /** The facades `primus()` made in this test (one whose options were refused is not among them). */
  readonly made: readonly Primus[];
}

/**
 * Facades on one HTTP server per test: after the test every facade made is
 * destroyed (`close: false`), then the server is closed. Register other
 * `afterEach` hooks that must run first (destroying clients) before calling this.
 */
export function useFacades(): FacadeTest {
  const made: Primus[] = [];
  const env: FacadeTest = {
    http: undefined as unknown as Server,
    made,
    primus(options) {
      const p = new Primus(env.http, options);
      made.push(p);
      return p;
    },
  };
  beforeEach(async () => {
    env.http = await httpServer();
  });
  afterEach(async () => {
    for (const p of made.splice(0)) await new Promise<void>((resolve) => p.destroy({ close: false }, () => resolve()));
    await closeServer(env.http);
  });
  return env;
}
