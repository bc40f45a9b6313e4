import type { Kernel } from '../core/kernel';
import type { Spark } from '../core/spark';
import type { KernelEvents, SparkEvents } from '../core/events';
import type { Client } from '../core/client/client';
import type { ClientEvents } from '../core/client/types';

/** Any emitter: Node's, eventemitter3, the Primus facade, a Primus 8 client. */
export interface AnyEmitter {
  once(event: any, listener: (...args: any[]) => void): unknown;
  removeListener(event: any, listener: (...args: any[]) => void): unknown;
}

/**
 * The arguments of the next `event` on `emitter`, typed from the event
 * maps. Rejects after `timeout` ms (default 5000) and removes its listener,
 * so a test that fails leaves nothing behind.
 */
export function nextEvent<E extends keyof KernelEvents>(emitter: Kernel, event: E, timeout?: number): Promise<KernelEvents[E]>;
export function nextEvent<E extends keyof SparkEvents>(emitter: Spark, event: E, timeout?: number): Promise<SparkEvents[E]>;
export function nextEvent<E extends keyof ClientEvents>(emitter: Client, event: E, timeout?: number): Promise<ClientEvents[E]>;
export function nextEvent(emitter: AnyEmitter, event: string, timeout?: number): Promise<unknown[]>;
export function nextEvent(emitter: AnyEmitter, event: string, timeout = 5000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener);
      reject(new Error(`timed out after ${timeout} ms waiting for "${event}"`));
    }, timeout);
    emitter.once(event, listener);
  });
}

/** The next message (`data`) a client or spark receives. */
export async function nextMessage(emitter: Client | Spark | AnyEmitter, timeout = 5000): Promise<unknown> {
  const [data] = await nextEvent(emitter as AnyEmitter, 'data', timeout);
  return data;
}

/** The arguments of the next `count` `event`s, in order (rejects after `timeout` ms with what came). */
export function collectEvents(
  emitter: AnyEmitter & { on(event: any, listener: (...args: any[]) => void): unknown },
  event: string,
  count: number,
  timeout = 5000,
): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const got: unknown[][] = [];
    const listener = (...args: unknown[]): void => {
      got.push(args);
      if (got.length < count) return;
      clearTimeout(timer);
      emitter.removeListener(event, listener);
      resolve(got);
    };
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener);
      reject(new Error(`timed out after ${timeout} ms: ${got.length} of ${count} "${event}" events`));
    }, timeout);
    emitter.on(event, listener);
  });
}
