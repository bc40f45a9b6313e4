'use strict';
// Messages the workloads send. Network workloads send `message`: by default
// a small object (`{"n":1,"text":"hi"}`, 20 bytes as JSON), where JSON costs
// little and any per-message framework overhead shows; `--payload=medium`
// (passed to the children as BENCH_PAYLOAD) sends the representative object
// instead. The codec micro-benchmark always uses the representative object:
// a typical chat/event message with nesting, numbers, an array and a
// timestamp (232 bytes as JSON).
const representative = {
  type: 'message',
  id: 123456,
  room: 'lobby',
  user: { id: 42, name: 'alice', roles: ['member', 'moderator'] },
  text: 'Hello world, this is a representative chat message.',
  meta: { seq: 9876, ack: true, score: 0.75 },
  ts: 1700000000000,
};
const small = { n: 1, text: 'hi' };

const name = process.env.BENCH_PAYLOAD === 'medium' ? 'medium' : 'small';
module.exports = { message: name === 'medium' ? representative : small, name, representative };
