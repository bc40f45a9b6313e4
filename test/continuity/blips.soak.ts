/**
 * The long run (`npm run soak:continuity`): blips from 10 ms to 60 s, past
 * a 30 s window, over ten clients in parallel, traffic both ways every 5 ms.
 * SOAK_BLIPS, SOAK_MAX_MS and SOAK_WINDOW change the run.
 */
import { runBlips, spread } from './blips';

const BLIPS = Number(process.env.SOAK_BLIPS ?? 60);
const MAX = Number(process.env.SOAK_MAX_MS ?? 60_000);
const WINDOW = Number(process.env.SOAK_WINDOW ?? 30_000);

test(`${BLIPS} blips from 10 ms to ${MAX} ms, window ${WINDOW} ms: 0 lost, 0 duplicated, 0 reordered`, async () => {
  const stats = await runBlips({ clients: 10, durations: spread(BLIPS, 10, MAX), window: WINDOW });
  const failed = stats.blips.filter((b) => !b.recovered);
  console.log(
    `soak: ${stats.blips.length} blips, ${stats.down} messages down, ${stats.up} up; ` +
      `recovered ${stats.blips.length - failed.length}, not recovered ${failed.length} (${failed.map((b) => `${b.ms}ms:${b.reason}`).join(', ')})`,
  );
  expect({ lost: stats.lost, duplicated: stats.duplicated, reordered: stats.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
  expect(stats.blips.filter((b) => b.ms > WINDOW).every((b) => !b.recovered && b.reason === 'expired')).toBe(true);
  expect(stats.blips.filter((b) => b.ms < WINDOW - 1000 && !b.recovered)).toEqual([]);
}, 1_800_000);
