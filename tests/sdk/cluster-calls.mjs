// Makes Converse calls with the official runtime client, spread round-robin over several
// endpoints (instances of one deployment), and prints one JSON line: the request id of every
// answered call and the error of every refused one. Not a *.test.mjs: the integration test of
// several instances on one PostgreSQL (tests/integration/postgres_integration_test.cc) runs it
// and checks what the instances metered.
//
//   node cluster-calls.mjs --endpoints URL,URL,... --model ARN --count N [--stream]
//     [--concurrency K] [--principal rd-e2e|platform-admin] [--text TEXT] [--max-tokens N]
//     [--attempts N]   (the SDK's own retries, as users configure them; default 1: none)
import { parseArgs } from 'node:util';

import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { ADMIN, RD_E2E, runtimeClient } from './harness.mjs';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string' },
    model: { type: 'string' },
    count: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1' },
    stream: { type: 'boolean', default: false },
    principal: { type: 'string', default: 'rd-e2e' },
    text: { type: 'string' },
    'max-tokens': { type: 'string' },
    attempts: { type: 'string', default: '1' },
  },
});
if (!values.endpoints || !values.model) {
  process.stderr.write('usage: node cluster-calls.mjs --endpoints URL,... --model ARN --count N\n');
  process.exit(2);
}
const credentials = values.principal === 'platform-admin' ? ADMIN : RD_E2E;
const clients = values.endpoints
  .split(',')
  .map((endpoint) => runtimeClient(endpoint, { credentials: { ...credentials }, maxAttempts: Number(values.attempts) }));
const count = Number(values.count);
const messages = (i) => [{ role: 'user', content: [{ text: values.text ?? `Say: call ${i}` }] }];
const inferenceConfig = values['max-tokens'] ? { maxTokens: Number(values['max-tokens']) } : undefined;
// An instance killed mid-call may leave its HTTP/2 session open on our side: each call gives
// up after this long rather than waiting for ever.
const CALL_TIMEOUT_MS = 10_000;

const answered = [];
const refused = [];
let next = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    const client = clients[i % clients.length];
    try {
      if (values.stream) {
        const out = await client.send(new ConverseStreamCommand({ modelId: values.model, messages: messages(i), inferenceConfig }), { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
        for await (const _event of out.stream) { /* drain */ }
        answered.push({ endpoint: i % clients.length, requestId: out.$metadata.requestId });
      } else {
        const out = await client.send(new ConverseCommand({ modelId: values.model, messages: messages(i), inferenceConfig }), { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
        answered.push({ endpoint: i % clients.length, requestId: out.$metadata.requestId });
      }
    } catch (e) {
      refused.push({ endpoint: i % clients.length, name: e.name, status: e.$metadata?.httpStatusCode, message: e.message });
    }
  }
}
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
for (const c of clients) c.destroy();
process.stdout.write(`${JSON.stringify({ answered, refused })}\n`);
