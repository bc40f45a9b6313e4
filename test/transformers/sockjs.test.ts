import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { createKernel, type Kernel, type Spark } from '../../index';
import { sockjs } from '../../transformers/sockjs';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { once, urlOf } from '../helpers/net';

/** One xhr poll of a SockJS session: POST …/<server>/<session>/xhr, the body it answers with. */
function poll(url: string, session: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/primus/000/${session}/xhr`, { method: 'POST', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sockjs transformer: backpressure', () => {
  let kernel: Kernel | undefined;
  let url: string;
  const sockets: WebSocket[] = [];

  async function start(highWaterMark: number): Promise<void> {
    kernel = createKernel().use(sockjs, { highWaterMark }).use(jsonParserPlugin);
    url = urlOf(await kernel.listen(0));
  }

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await kernel?.close();
    kernel = undefined;
  });

  test('frames waiting for a polling client count: write turns false, the next poll drains', async () => {
    await start(1000);
    const connected = once<Spark>(kernel!, 'connection');
    expect(await poll(url, 'backpressure1')).toBe('o\n');
    const spark = await connected;
    const chunk = 'x'.repeat(300);
    const results = [spark.write(chunk), spark.write(chunk), spark.write(chunk), spark.write(chunk)];
    expect(results).toEqual([true, true, true, false]);
    const drained = once(spark, 'drain');
    const body = await poll(url, 'backpressure1');
    expect(body.startsWith('a[')).toBe(true);
    expect(JSON.parse(body.slice(1))).toHaveLength(4);
    await drained;
    expect(spark.write('ok')).toBe(true);
  });

  test('a WebSocket client that stops reading: write turns false, drain follows when it reads', async () => {
    await start(64 * 1024);
    const connected = once<Spark>(kernel!, 'connection');
    const ws = new WebSocket(`${url.replace('http', 'ws')}/primus/000/backpressure2/websocket`);
    sockets.push(ws);
    await once(ws, 'open');
    const spark = await connected;
    ws.pause();
    const chunk = 'z'.repeat(16 * 1024);
    let writes = 0;
    while (spark.write(chunk) && writes < 1000) writes++;
    expect(writes).toBeLessThan(1000);
    const drained = once(spark, 'drain');
    ws.resume();
    await drained;
    expect(spark.write('ok')).toBe(true);
  });
});
