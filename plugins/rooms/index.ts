import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import type { Kernel } from '../../core/kernel';
import type { Spark } from '../../core/spark';
import { AllsparkError, ErrorCodes } from '../../core/errors';
import { Rooms } from './service';
import { RoomTarget } from './target';
import { decorateSparks } from './spark';

/** Registry token of a kernel's {@link Rooms} (see {@link roomsOf}). */
export const ROOMS = Symbol('rooms');

export const roomsOptions = z
  .object({
    /** Most rooms one spark may be in; joining more fails with ALLSPARK_ROOMS_LIMIT. Default 1000. */
    maxRoomsPerSpark: z.number().int().positive().default(1000),
    /** Longest room name, in characters; longer (or empty) names fail with ALLSPARK_ROOM_INVALID. Default 256. */
    maxRoomName: z.number().int().positive().default(256),
    /** With a cluster broker: room `r` travels on channel `<channelPrefix>r`. Default `room:`. */
    channelPrefix: z.string().default('room:'),
    /** With a cluster broker: ms a membership query waits for the other nodes. Default 2000. */
    queryTimeout: z.number().int().positive().default(2000),
    /**
     * With a cluster broker: membership queries this node may have waiting
     * for the other nodes at once; more are refused with
     * ALLSPARK_ROOMS_QUERY_LIMIT (never answered with local data only). Default 1024.
     */
    maxPendingQueries: z.number().int().positive().default(1024),
  })
  .strict();

/**
 * Rooms: `spark.join(room)`, `spark.leave(room)`, `spark.rooms`,
 * `roomsOf(kernel).room(name).except(ids).write(data)`, membership
 * queries. A broadcast is encoded once and framed once for all local
 * members; with a cluster broker a room spans nodes and only nodes with
 * members receive its messages. Server only: clients need nothing new.
 */
export const rooms = definePlugin({
  name: 'rooms',
  options: roomsOptions,
  server(ctx, options) {
    const kernel = ctx.kernel;
    const service = new Rooms(kernel, options);
    ctx.provide(ROOMS, service);
    decorateSparks(ctx, service);
    for (const event of ['joinroom', 'leaveroom', 'leaveallrooms', 'roomserror']) kernel.Spark.prototype.reserved.events[event] = 1;
    ctx.hook('onDisconnection', (spark) => void service.table.leaveAll(spark));
    const follow = (): void => service.useBroker(kernel.broker);
    follow();
    kernel.on('plugin', follow);
    kernel.on('plugout', follow);
    return () => {
      kernel.off('plugin', follow);
      kernel.off('plugout', follow);
      service.close();
    };
  },
});

/** The rooms of a kernel (or of a Primus facade, through its `kernel`). Throws ALLSPARK_PLUGIN_DEPENDENCY when the rooms plugin is not used. */
export function roomsOf(owner: Kernel | { kernel: Kernel }): Rooms {
  const kernel = 'registry' in owner ? owner : owner.kernel;
  const service = kernel.registry.lookup<Rooms>(ROOMS);
  if (service === undefined) {
    throw new AllsparkError(ErrorCodes.PLUGIN_DEPENDENCY, 'The rooms plugin is not in use: kernel.use(rooms) first');
  }
  return service;
}

export { Rooms, RoomTarget };
export type { SparkRef } from './target';
export type { BrokerRequests, CountedPublish } from './queries';

declare module '../../core/events' {
  interface SparkEvents {
    /** This spark joined `room`. (rooms plugin) */
    joinroom: [room: string];
    /** This spark left `room`. (rooms plugin) */
    leaveroom: [room: string];
    /** This spark left every room it was in (`leaveAll`, or it ended). (rooms plugin) */
    leaveallrooms: [rooms: string[]];
    /** A `join` failed (ALLSPARK_ROOM_INVALID, ALLSPARK_ROOMS_LIMIT); emitted only when listened to. (rooms plugin) */
    roomserror: [err: AllsparkError];
  }
  interface KernelEvents {
    /** `spark` joined `room`. (rooms plugin) */
    joinroom: [room: string, spark: Spark];
    /** `spark` left `room`. (rooms plugin) */
    leaveroom: [room: string, spark: Spark];
    /** `spark` left every room it was in. (rooms plugin) */
    leaveallrooms: [rooms: string[], spark: Spark];
  }
}

declare module '../../core/spark' {
  interface SparkDecorations {
    /**
     * Join a room, or several (an array). Errors (ALLSPARK_ROOM_INVALID,
     * ALLSPARK_ROOMS_LIMIT) go to `fn` when given, else are thrown. (rooms plugin)
     */
    join(rooms: string | readonly string[], fn?: (err: AllsparkError | null) => void): Spark;
    /** Leave a room, or several. (rooms plugin) */
    leave(rooms: string | readonly string[], fn?: (err: null) => void): Spark;
    /** Leave every room (done for you when the spark ends). (rooms plugin) */
    leaveAll(fn?: (err: null, rooms: string[]) => void): Spark;
    /** The rooms this spark is in (live, read-only). (rooms plugin) */
    readonly rooms: ReadonlySet<string>;
    /** Write to a room's members except this spark (primus-rooms' `spark.room(name).write`). (rooms plugin) */
    room(rooms: string | readonly string[]): RoomTarget;
  }
}
