// Issue 14, item 1 through the official clients: cache points (Converse cachePoint blocks,
// Anthropic cache_control) with Bedrock's rules, and the simulated model's per-profile prompt
// cache: the first call writes (cacheWriteInputTokens, cacheDetails per TTL), a repeat within
// the TTL reads (cacheReadInputTokens), and inputTokens excludes both, in Converse,
// ConverseStream's metadata, and the InvokeModel (Anthropic) usage and stream.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand, ConverseStreamCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';

import { ADMIN, REGION, SEED, UPSTREAM, anthropicClient, assertMeta, expectServiceError, startServer, uniqueSuffix } from './harness.mjs';

const HAIKU = SEED.haiku.arn; // Claude Haiku 4.5: prefixes of at least 4,096 tokens; 5m and 1h
const SONNET4 = SEED.sonnet.arn; // Claude Sonnet 4: at least 1,024 tokens; 5m only

/** `n` distinct one-token words, different on every run (so a long-lived endpoint starts cold). */
function words(n, tag) {
  const p = `${tag}${uniqueSuffix()}x`;
  return Array.from({ length: n }, (_, i) => `${p}${i}`).join(' ');
}
const cachePoint = (ttl) => ({ cachePoint: ttl ? { type: 'default', ttl } : { type: 'default' } });
const user = (text) => [{ role: 'user', content: [{ text }] }];

describe('prompt caching', { skip: UPSTREAM === 'openai' && 'cache points are not sent to an OpenAI-compatible server' }, () => {
  let server;
  let client;
  let anthropic;
  before(async () => {
    server = await startServer();
    client = server.runtimeClient();
    anthropic = anthropicClient(server);
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('Converse: the first call writes the system prefix, a repeat reads it, inputTokens excludes both', async () => {
    const system = [{ text: words(4200, 'sys') }, cachePoint()];
    const request = (question) => ({ modelId: HAIKU, system, messages: user(question), inferenceConfig: { maxTokens: 50 } });
    const whole = (await client.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: { system, messages: user('first question') } } }))).inputTokens;

    const first = await client.send(new ConverseCommand(request('first question')));
    assertMeta(first);
    const u1 = first.usage;
    assert.ok(u1.cacheWriteInputTokens > 4096, JSON.stringify(u1));
    assert.equal(u1.cacheReadInputTokens, undefined);
    assert.deepEqual(u1.cacheDetails, [{ ttl: '5m', inputTokens: u1.cacheWriteInputTokens }]);
    assert.equal(u1.inputTokens + u1.cacheWriteInputTokens, whole, 'CountTokens counts the whole input');
    assert.equal(u1.totalTokens, u1.inputTokens + u1.outputTokens + u1.cacheWriteInputTokens);

    const second = await client.send(new ConverseCommand(request('first question')));
    const u2 = second.usage;
    assert.equal(u2.cacheReadInputTokens, u1.cacheWriteInputTokens, JSON.stringify(u2));
    assert.equal(u2.cacheWriteInputTokens, undefined);
    assert.equal(u2.cacheDetails, undefined);
    assert.equal(u2.inputTokens, u1.inputTokens);
    assert.equal(u2.totalTokens, u2.inputTokens + u2.outputTokens + u2.cacheReadInputTokens);
    assert.deepEqual(second.output, first.output, 'the answer never depends on the cache');

    // The other seed profile has its own cache, even for the same text.
    const other = await client.send(
      new ConverseCommand({ modelId: SONNET4, system, messages: user('first question'), inferenceConfig: { maxTokens: 50 } }),
    );
    assert.ok(other.usage.cacheWriteInputTokens > 0 && other.usage.cacheReadInputTokens === undefined, JSON.stringify(other.usage));
  });

  test('ConverseStream reports the same figures in its metadata event', async () => {
    const system = [{ text: words(4200, 'stream') }, cachePoint('1h')];
    const run = async () => {
      const out = await client.send(new ConverseStreamCommand({ modelId: HAIKU, system, messages: user('Say: streamed') }));
      let metadata;
      for await (const ev of out.stream) if (ev.metadata) metadata = ev.metadata;
      return metadata.usage;
    };
    const first = await run();
    assert.ok(first.cacheWriteInputTokens > 4096, JSON.stringify(first));
    assert.deepEqual(first.cacheDetails, [{ ttl: '1h', inputTokens: first.cacheWriteInputTokens }]);
    const second = await run();
    assert.equal(second.cacheReadInputTokens, first.cacheWriteInputTokens);
    assert.equal(second.inputTokens, first.inputTokens);
  });

  test('a growing conversation reads the last prefix and writes only the new turn, per TTL', async () => {
    const tools = [{ toolSpec: { name: 'lookup', description: words(4200, 'tool'), inputSchema: { json: { type: 'object' } } } }, cachePoint('1h')];
    const turn1 = [{ role: 'user', content: [{ text: words(300, 'q') }, cachePoint()] }];
    const first = await client.send(new ConverseCommand({ modelId: HAIKU, toolConfig: { tools, toolChoice: { auto: {} } }, messages: turn1 }));
    const u1 = first.usage;
    assert.equal(u1.cacheDetails.length, 2, JSON.stringify(u1));
    assert.equal(u1.cacheDetails[0].ttl, '1h', '1h is listed before 5m');
    assert.equal(u1.cacheDetails[1].ttl, '5m');
    assert.equal(u1.cacheDetails[0].inputTokens + u1.cacheDetails[1].inputTokens, u1.cacheWriteInputTokens);

    const turn2 = [
      { role: 'user', content: [{ text: turn1[0].content[0].text }] },
      first.output.message,
      { role: 'user', content: [{ text: words(200, 'r') }, cachePoint()] },
    ];
    const second = await client.send(new ConverseCommand({ modelId: HAIKU, toolConfig: { tools, toolChoice: { auto: {} } }, messages: turn2 }));
    const u2 = second.usage;
    assert.equal(u2.cacheReadInputTokens, u1.cacheWriteInputTokens, JSON.stringify(u2));
    assert.deepEqual(u2.cacheDetails.map((d) => d.ttl), ['5m']);
  });

  test('Bedrock refuses what it refuses: more than 4 points, 1h after 5m, 1h where the model has none', async () => {
    const many = [{ text: 'a' }, cachePoint(), { text: 'b' }, cachePoint(), { text: 'c' }, cachePoint()];
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: HAIKU, system: many, messages: [{ role: 'user', content: [{ text: 'd' }, cachePoint(), { text: 'e' }, cachePoint()] }] })),
      { name: 'ValidationException', message: /^A maximum of 4 blocks with cache_control may be provided\. Found 5\.$/ },
    );
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: HAIKU, system: [{ text: 'a' }, cachePoint('5m')], messages: [{ role: 'user', content: [{ text: 'b' }, cachePoint('1h')] }] })),
      { name: 'ValidationException', message: /^messages\.0\.content\.1: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block/ },
    );
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: SONNET4, system: [{ text: 'a' }, cachePoint('1h')], messages: user('b') })),
      { name: 'ValidationException', message: /does not support the cache TTL '1h'/ },
    );
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: HAIKU, system: [{ text: 'a' }, { cachePoint: { type: 'default', ttl: '2h' } }], messages: user('b') })),
      { name: 'ValidationException', message: /Value '2h' at 'system\.1\.member\.cachePoint\.ttl' failed to satisfy constraint: Member must satisfy enum value set: \[5m, 1h\]/ },
    );
    // Below the model's minimum (4,096 for Haiku 4.5): accepted, nothing cached.
    const small = await client.send(new ConverseCommand({ modelId: HAIKU, system: [{ text: words(100, 'small') }, cachePoint()], messages: user('hi') }));
    assert.equal(small.usage.cacheWriteInputTokens, undefined);
    assert.equal(small.usage.cacheReadInputTokens, undefined);
  });

  test('InvokeModel (Anthropic SDK): cache_control, the usage Anthropic clients read, and the stream', async () => {
    const system = [{ type: 'text', text: words(4200, 'anth'), cache_control: { type: 'ephemeral' } }];
    const create = () =>
      anthropic.messages.create({ model: HAIKU, max_tokens: 50, system, messages: [{ role: 'user', content: 'Say: cached' }] });
    const first = await create();
    assert.ok(first.usage.cache_creation_input_tokens > 4096, JSON.stringify(first.usage));
    assert.equal(first.usage.cache_read_input_tokens, 0);
    assert.deepEqual(first.usage.cache_creation, {
      ephemeral_5m_input_tokens: first.usage.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    });
    assert.deepEqual(first.content, [{ type: 'text', text: 'cached' }]);

    const { data: second, response } = await anthropic.messages
      .create({ model: HAIKU, max_tokens: 50, system, messages: [{ role: 'user', content: 'Say: cached' }] })
      .withResponse();
    assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assert.equal(second.usage.cache_creation_input_tokens, 0);
    assert.equal(second.usage.input_tokens, first.usage.input_tokens);
    assert.equal(response.headers.get('x-amzn-bedrock-cache-read-input-token-count'), String(second.usage.cache_read_input_tokens));
    assert.equal(response.headers.get('x-amzn-bedrock-cache-write-input-token-count'), null);

    const stream = anthropic.messages.stream({ model: HAIKU, max_tokens: 50, system, messages: [{ role: 'user', content: 'Say: cached' }] });
    let start;
    stream.on('streamEvent', (ev) => {
      if (ev.type === 'message_start') start = ev.message.usage;
    });
    const final = await stream.finalMessage();
    // Through a Bedrock upstream the stream comes from ConverseStream, which reports the cache
    // figures only in its last event: message_start carries the local estimate of the whole input
    // and no cache figures (docs/upstreams.md).
    if (UPSTREAM !== 'bedrock') {
      assert.equal(start.cache_read_input_tokens, first.usage.cache_creation_input_tokens, JSON.stringify(start));
      assert.equal(start.input_tokens, first.usage.input_tokens);
    }
    assert.equal(final.content[0].text, 'cached');

    await assert.rejects(
      anthropic.messages.create({
        model: HAIKU,
        max_tokens: 50,
        system: [1, 2, 3, 4, 5].map((i) => ({ type: 'text', text: `part ${i}`, cache_control: { type: 'ephemeral' } })),
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e) => e.status === 400 && /A maximum of 4 blocks with cache_control may be provided\. Found 5\./.test(e.message),
    );
  });
});
