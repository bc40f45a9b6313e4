/**
 * SIGKILL of a single node with the in-memory store: the restarted node has
 * a new epoch and no sessions, so the client is told (`recovered: false`,
 * reason `epoch`) and gets back the messages the dead node never
 * acknowledged; it then works on a new session.
 */
import { join } from 'node:path';
import { continuity } from '../../plugins/continuity';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { reconnect } from '../../plugins/reconnect';
import { socketClass } from '../../core/client/factory';
import { clientConfigOf } from '../../core/client-config';
import type { ClientContinuityEvent } from '../../plugins/continuity';
import { bundle, kill, startNode, type NodeProcess } from '../helpers/processes';
import { until } from './env';

const built = bundle(join(__dirname, 'fixtures', 'node.ts'));
const nodes: NodeProcess[] = [];
afterAll(async () => {
  for (const n of nodes) await kill(n);
  built.remove();
});

test('SIGKILL, restart on the same port: recovered false with reason epoch, then a new session works', async () => {
  const slowAcks = { ACK_DELAY: '60000', ACK_EVERY: '100000' };
  const first = await startNode(built.file, slowAcks);
  nodes.push(first);
  const Socket = socketClass(clientConfigOf('/primus', [[websockets, {}], [jsonParserPlugin, {}], [reconnect, {}], [continuity, {}]]));
  const client = new Socket(`http://127.0.0.1:${first.port}`, { reconnect: { min: 50, max: 200, retries: 100 } });
  const events: ClientContinuityEvent[] = [];
  client.on('continuity', (e: ClientContinuityEvent) => events.push(e));
  const got: unknown[] = [];
  client.on('data', (d: unknown) => got.push(d));
  try {
    await until(() => got.length > 5);
    client.write('before');
    await until(() => got.some((d) => (d as { echo?: unknown }).echo === 'before'));
    await kill(first);
    client.write('while dead');
    nodes.push(await startNode(built.file, { ...slowAcks, PORT: String(first.port) }));
    await until(() => events.length === 1, 15_000);
    // The server acknowledges only after a minute here: both messages were never acknowledged.
    expect(events).toEqual([{ recovered: false, reason: 'epoch', pending: ['before', 'while dead'] }]);
    const mark = got.length;
    client.write('after');
    await until(() => got.slice(mark).some((d) => (d as { echo?: unknown }).echo === 'after'));
  } finally {
    client.destroy();
  }
});
