import { z } from 'zod/v3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { definePlugin } from '../../core/plugin';
import { addLayer } from '../middleware';
import { lockHeader } from '../middleware/lock';

function xss(req: IncomingMessage, res: ServerResponse): void {
  const agent = (req.headers['user-agent'] ?? '').toLowerCase();
  // Old IE's XSS filter can be abused on JSONP-style responses; switch it off there.
  if (agent.includes(';msie') || agent.includes('trident/')) lockHeader(res, 'X-XSS-Protection', '0');
}
xss.upgrade = false;
xss.plainRequest = true;

/** `X-XSS-Protection: 0` for Internet Explorer, as Primus's `x-xss` layer. */
export const xssPlugin = definePlugin({
  name: 'xss',
  dependencies: ['middleware'],
  options: z.object({}).strict(),
  server(ctx) {
    addLayer(ctx, 'x-xss', xss);
  },
});
