/**
 * The soak's short mode (`node bench/soak/run.js --short`): 1,000 WebSocket
 * connections for 30 s under the mixed workload, with the same pass rules
 * as `npm run soak` (memory flat after warm-up, no errors, nothing left once
 * everyone closed). Uses the built dist/ (`npm test` builds first); writes
 * its figures to a temp dir, never over bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const RUN = join(__dirname, '..', 'bench', 'soak', 'run.js');

test('short soak passes', async () => {
  const child = spawn(process.execPath, [RUN, '--short'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`soak exited with ${code}:\n${output}`);
  expect(output).toMatch(/soak: PASS/);
}, 150_000);
