/**
 * 100 network blips from 10 ms to 2 s through a TCP proxy, ten clients in
 * parallel, traffic both ways every 5 ms: nothing lost, duplicated or
 * reordered across a resume, and an explicit `recovered: false` for every
 * blip longer than the 1 s window. The long run (blips up to 60 s) is
 * `npm run soak:continuity`.
 */
import { runBlips, spread } from './blips';

const WINDOW = 1000;

test('100 blips from 10 ms to 2 s: 0 lost, 0 duplicated, 0 reordered; recovered: false past the window', async () => {
  const stats = await runBlips({ clients: 10, durations: spread(100, 10, 2000), window: WINDOW });
  expect(stats.blips.length).toBe(100);
  if (process.env.BLIPS_VERBOSE) console.log(JSON.stringify(stats.blips));
  expect({ lost: stats.lost, duplicated: stats.duplicated, reordered: stats.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
  // Past the window the session is gone before the client can be back.
  const long = stats.blips.filter((b) => b.ms > WINDOW);
  expect(long.every((b) => !b.recovered && b.reason === 'expired')).toBe(true);
  // Well inside it (reconnect back-off is at most 100 ms here) every blip recovers.
  const short = stats.blips.filter((b) => b.ms < WINDOW - 400);
  expect(short.filter((b) => !b.recovered)).toEqual([]);
  expect(stats.serverGaps).toBe(stats.blips.filter((b) => !b.recovered).length);
  expect(stats.down).toBeGreaterThan(1000);
  expect(stats.up).toBeGreaterThan(1000);
}, 60_000);
