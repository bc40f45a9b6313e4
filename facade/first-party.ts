import { z } from 'zod/v3';
import type { PluginDefinition, PluginOptions } from '../core/plugin';
import { validateOptions } from '../core/options';
import { ErrorCodes } from '../core/errors';
import { rooms, roomsOptions } from '../plugins/rooms';
import { events, eventsOptions } from '../plugins/events';

/** primus-rooms' own options (`new Primus(server, { rooms: { adapter, wildcard } })`): they load nothing here. */
export interface PrimusRoomsOptions {
  adapter?: unknown;
  wildcard?: boolean;
}

/** The `rooms` option: `true` or the rooms plugin's options turn it on; primus-rooms' options are left to primus-rooms. */
export type RoomsOption = boolean | PluginOptions<typeof rooms> | PrimusRoomsOptions;
/** The `events` option: `true` or the events plugin's options (`{ map, unknown, ackTimeout, maxPendingAcks }`) turn it on. */
export type EventsOption = boolean | PluginOptions<typeof events>;

/** The keys primus-rooms reads from `options.rooms`. */
const PRIMUS_ROOMS_KEYS = ['adapter', 'wildcard'];

/** `true`/`false` or an options object: the plugin's own schema checks the object (see {@link firstPartyPlugins}). */
const switchOrOptions = z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional();

/** Loose schemas for the option table: the plugin's own schema checks the value (see {@link firstPartyPlugins}). */
export const firstPartyOptionFields = {
  /**
   * allspark: the first-party rooms plugin, `true` or its options
   * (`{ maxRoomsPerSpark, maxRoomName, channelPrefix, queryTimeout, maxPendingQueries }`).
   * An object with primus-rooms' keys (`adapter`, `wildcard`) is primus-rooms' own and loads nothing.
   */
  rooms: switchOrOptions,
  /** allspark: typed events and acknowledgements, `true` or the events plugin's options (`{ map, unknown, ackTimeout, maxPendingAcks }`). */
  events: switchOrOptions,
};

function isPrimusRooms(value: object): boolean {
  return PRIMUS_ROOMS_KEYS.some((key) => key in value);
}

/**
 * Check `value` with the plugin's own schema, reporting paths from the
 * facade's options (`rooms.maxRoom: unknown option`) and naming the plugin.
 */
function checked(name: string, schema: z.ZodTypeAny, value: unknown): unknown {
  const given = value === true ? {} : value;
  validateOptions(z.object({ [name]: schema }), { [name]: given }, `Primus (plugin "${name}")`, ErrorCodes.PLUGIN_OPTIONS);
  return given;
}

/** The first-party plugins the facade's `rooms` and `events` options turn on, with their options. */
export function firstPartyPlugins(o: { rooms?: unknown; events?: unknown }): Array<[PluginDefinition, unknown]> {
  const out: Array<[PluginDefinition, unknown]> = [];
  const r = o.rooms;
  if (r === true || (typeof r === 'object' && r !== null && !isPrimusRooms(r))) out.push([rooms, checked('rooms', roomsOptions, r)]);
  if (o.events === true || (typeof o.events === 'object' && o.events !== null)) out.push([events, checked('events', eventsOptions, o.events)]);
  return out;
}
