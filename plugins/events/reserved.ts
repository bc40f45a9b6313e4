/**
 * Names that can never be typed events: what sparks and clients emit
 * themselves (Primus's reserved events, the stream's own, the rooms
 * plugin's) and the error event. `incoming::*` / `outgoing::*` are reserved
 * too. Browser-safe.
 */
export const RESERVED_EVENTS = [
  'readyStateChange', 'heartbeat', 'error', 'data', 'end', 'close', 'drain', 'pipe', 'unpipe', 'finish',
  'newListener', 'removeListener', 'open', 'timeout', 'online', 'offline', 'destroy',
  'reconnect', 'reconnect scheduled', 'reconnected', 'reconnect timeout', 'reconnect failed',
  'joinroom', 'leaveroom', 'leaveallrooms', 'roomserror', 'allspark:error',
];

const SET = new Set(RESERVED_EVENTS);

/** Is `event` reserved (never sent, never dispatched from the wire)? */
export function isReserved(event: string): boolean {
  return SET.has(event) || event.startsWith('incoming::') || event.startsWith('outgoing::');
}
