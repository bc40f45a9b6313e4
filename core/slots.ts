import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Frame, PreparedFrame } from './types';
import type { KernelRequest } from './http';
export type { Broker, BrokerPayload, BrokerHandler } from './broker';

/**
 * The transport a kernel serves. Exactly one plugin provides it
 * (`ctx.provide(Slots.transformer, …)`); it receives the requests and
 * upgrades that passed the middleware and turns connections into sparks
 * with `kernel.connect`.
 */
export interface ServerTransformer {
  /** Lower-case name, as in the `spec` route (`websockets`, `sockjs`, …). */
  readonly name: string;
  /** False when the transport carries text only (binary parsers refuse it). */
  readonly binary: boolean;
  /** A plain HTTP request under the pathname (polling transports, or a 426 for pure WebSocket). */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** An upgrade request under the pathname. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Would this request open a new connection (rather than carry one that is
   * open)? Read only while `maxConnections` sparks are open, to refuse new
   * ones with a 503. Default: every upgrade does, no plain request does.
   */
  opensConnection?(req: KernelRequest, upgrade: boolean): boolean;
  /** Optionally precompute what every connection sends for a broadcast frame, once for all sparks. */
  prepareBroadcast?(frame: Frame): PreparedFrame;
  /** Shut the transport server down (sparks are already ended). */
  close(): void | Promise<void>;
}

/** Exclusive registry slots: one provider each per kernel. */
export const Slots = {
  transformer: Symbol('transformer'),
  parser: Symbol('parser'),
  /** The cluster's message bus ({@link Broker}); optional, one provider at most. */
  broker: Symbol('broker'),
} as const;
