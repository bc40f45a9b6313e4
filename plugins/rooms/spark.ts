import type { ServerContext } from '../../core/context';
import type { Spark } from '../../core/spark';
import type { AllsparkError } from '../../core/errors';
import type { Rooms } from './service';

type Callback = (err: AllsparkError | null, ...rest: any[]) => void;

/** Add `join`, `leave`, `leaveAll`, `rooms` and `room` to the kernel's sparks. */
export function decorateSparks(ctx: ServerContext, service: Rooms): void {
  const table = service.table;
  ctx.decorateSpark('join', {
    value(this: Spark, rooms: string | readonly string[], fn?: Callback): Spark {
      for (const room of typeof rooms === 'string' ? [rooms] : rooms) {
        const err = table.join(this, room);
        if (err === undefined) continue;
        if (this.listenerCount('roomserror') > 0) this.emit('roomserror', err);
        if (typeof fn !== 'function') throw err;
        fn(err);
        return this;
      }
      if (typeof fn === 'function') fn(null);
      return this;
    },
  });
  ctx.decorateSpark('leave', {
    value(this: Spark, rooms: string | readonly string[], fn?: Callback): Spark {
      for (const room of typeof rooms === 'string' ? [rooms] : rooms) table.leave(this, room);
      if (typeof fn === 'function') fn(null);
      return this;
    },
  });
  ctx.decorateSpark('leaveAll', {
    value(this: Spark, fn?: Callback): Spark {
      const left = table.leaveAll(this);
      if (typeof fn === 'function') fn(null, left);
      return this;
    },
  });
  ctx.decorateSpark('rooms', {
    get(this: Spark) {
      return table.roomsOf(this);
    },
  });
  ctx.decorateSpark('room', {
    value(this: Spark, rooms: string | readonly string[]) {
      return service.room(rooms).except(this.id);
    },
  });
}
