import { z } from 'zod';
import { defineEvents } from '../plugins/events';

/** Longest name, room and message the demo accepts (characters). */
export const MAX_NAME = 32;
export const MAX_ROOM = 32;
export const MAX_TEXT = 500;

/**
 * The demo's events, shared by the server and (as types) by clients. The
 * server validates every incoming payload against them: a message too long
 * or a name missing never reaches a handler, and the page shows the error.
 */
export const chatEvents = defineEvents({
  /** client → server: move to a room; the reply is how many are there now. */
  join: { payload: z.string().trim().min(1).max(MAX_ROOM), reply: z.number() },
  /** client → server: say something in your room. */
  say: z.object({ name: z.string().trim().min(1).max(MAX_NAME), text: z.string().trim().min(1).max(MAX_TEXT) }),
  /** server → client: a message in your room. */
  chat: z.object({ room: z.string(), name: z.string(), text: z.string(), at: z.number() }),
  /** server → client: how many are in your room. */
  presence: z.object({ room: z.string(), online: z.number() }),
  /** server → client: your connection id, once. */
  welcome: z.object({ id: z.string(), room: z.string() }),
});
