// Issue 14, items 2, 6 and 7 through the official clients: service tiers (Converse's serviceTier
// and InvokeModel's X-Amzn-Bedrock-Service-Tier, echoed back, refused where no region offers
// them), requestMetadata (Converse member and InvokeModel header, validated as Bedrock does),
// the simulated model's Say[stop_reason] controls, and video / audio / searchResult /
// citationsContent blocks accepted and counted.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';

import { ADMIN, EU_REGIONS, EXTERNAL, REGION, SEED, UPSTREAM, anthropicClient, assertMeta, expectServiceError, shippedConfigWith, startServer } from './harness.mjs';

const HAIKU = SEED.haiku.arn;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The shipped config, every region quick (30 ms, so concurrent calls overlap); eu-west-3 offers no flex. */
function config(dir) {
  const tiers = { 'eu-west-3': '["default", "priority"]' };
  const regions = EU_REGIONS.map(
    (r) =>
      `  ${r} = { simulated = { time_to_first_token_ms = 30, tokens_per_second = 0 }` +
      `${tiers[r] ? `, service_tiers = ${tiers[r]}` : ''} }`,
  ).join('\n');
  return shippedConfigWith(dir, { regions, routing: 'routing = { policy = "least-outstanding" }' });
}

const user = (text) => [{ role: 'user', content: [{ text }] }];
const invokeBody = (text) =>
  JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, messages: [{ role: 'user', content: text }] });

describe('service tiers, request metadata, stop reasons and more content blocks', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  let client;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-request-options-'));
    server = await startServer({ config: config(dir) });
    client = server.runtimeClient();
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Converse echoes the service tier it was asked for, and nothing when none was asked', { skip: UPSTREAM === 'openai' && 'an OpenAI-compatible server has one service tier' }, async () => {
    for (const type of ['priority', 'default', 'flex']) {
      const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Say: tiered'), serviceTier: { type } }));
      assertMeta(out);
      assert.deepEqual(out.serviceTier, { type });
      assert.deepEqual(out.output.message.content, [{ text: 'tiered' }]);
    }
    const plain = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Say: plain') }));
    assert.equal(plain.serviceTier, undefined);
  });

  test('a flex call is never served by the region that does not offer flex', { skip: UPSTREAM && (UPSTREAM === 'openai' ? 'an OpenAI-compatible server has one service tier' : 'how least-outstanding spreads 12 calls depends on answer timing') }, async () => {
    // The serving region is in a response header the SDK does not model: read it in a middleware.
    const regions = [];
    const tracing = server.runtimeClient();
    tracing.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        regions.push(result.response.headers['x-bedrock-profiles-region']);
        return result;
      },
      { step: 'deserialize', name: 'servedRegion' },
    );
    // least-outstanding spreads sequential calls over every healthy region; several at once
    // make every region busy in turn.
    const ask = (tier, i) =>
      tracing.send(new ConverseCommand({ modelId: HAIKU, messages: user(`Say: ${tier} ${i}`), serviceTier: { type: tier } }));
    await Promise.all(Array.from({ length: 12 }, (_, i) => ask('flex', i)));
    assert.equal(regions.length, 12);
    assert.ok(!regions.includes('eu-west-3'), `flex served in ${regions}`);
    assert.ok(regions.every((r) => EU_REGIONS.includes(r)), `${regions}`);
    regions.length = 0;
    await Promise.all(Array.from({ length: 12 }, (_, i) => ask('priority', i)));
    assert.ok(regions.includes('eu-west-3'), `priority never served in eu-west-3: ${regions}`);
  });

  test('ConverseStream carries the tier in its metadata event', { skip: UPSTREAM === 'openai' && 'an OpenAI-compatible server has one service tier' }, async () => {
    const out = await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: user('Say: streamed'), serviceTier: { type: 'priority' } }));
    const events = [];
    for await (const ev of out.stream) events.push(ev);
    const metadata = events.at(-1).metadata;
    assert.ok(metadata, 'metadata is the last event');
    assert.deepEqual(metadata.serviceTier, { type: 'priority' });
  });

  test('reserved, offered by no region here, and an unknown tier are ValidationExceptions', async () => {
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), serviceTier: { type: 'reserved' } })), {
      name: 'ValidationException',
      message: /service tier 'reserved' is not available .*eu-central-1, eu-west-1, eu-west-3/,
    });
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), serviceTier: { type: 'turbo' } })), {
      name: 'ValidationException',
      message: /Value 'turbo' at 'serviceTier\.type' failed to satisfy constraint: Member must satisfy enum value set/,
    });
  });

  test('InvokeModel takes the tier header and answers it in X-Amzn-Bedrock-Service-Tier', { skip: UPSTREAM === 'openai' && 'an OpenAI-compatible server has one service tier' }, async () => {
    const out = await client.send(new InvokeModelCommand({ modelId: HAIKU, body: invokeBody('Say: invoked'), serviceTier: 'flex' }));
    assert.equal(out.serviceTier, 'flex');
    assert.equal(JSON.parse(decoder.decode(out.body)).content[0].text, 'invoked');
    const stream = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: invokeBody('Say: streamed'), serviceTier: 'priority' }),
    );
    assert.equal(stream.serviceTier, 'priority');
    for await (const ev of stream.body) assert.ok(ev.chunk);
    await expectServiceError(client.send(new InvokeModelCommand({ modelId: HAIKU, body: invokeBody('hi'), serviceTier: 'fast' })), {
      name: 'ValidationException',
      message: /Value 'fast' at 'serviceTier'/,
    });
  });

  test('requestMetadata: accepted within Bedrock bounds, refused beyond them', async () => {
    const ok = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Say: tagged'), requestMetadata: { team: 'search', 'test-case': 'e2e/42' } }),
    );
    assert.deepEqual(ok.output.message.content, [{ text: 'tagged' }]);
    const seventeen = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), requestMetadata: seventeen })), {
      name: 'ValidationException',
      message: /'requestMetadata' failed to satisfy constraint: Member must have length less than or equal to 16/,
    });
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), requestMetadata: { 'bad<key>': 'v' } })), {
      name: 'ValidationException',
      message: /Map keys must satisfy constraint/,
    });
    const invoked = await client.send(
      new InvokeModelCommand({ modelId: HAIKU, body: invokeBody('Say: tagged'), requestMetadata: JSON.stringify({ team: 'search' }) }),
    );
    assert.equal(JSON.parse(decoder.decode(invoked.body)).content[0].text, 'tagged');
    await expectServiceError(client.send(new InvokeModelCommand({ modelId: HAIKU, body: invokeBody('hi'), requestMetadata: 'team=search' })), {
      name: 'ValidationException',
      message: /X-Amzn-Bedrock-Request-Metadata header must be a JSON object/,
    });
  });

  test('Say[reason]: reaches every stop reason a client must handle, in both APIs', { skip: UPSTREAM === 'openai' && 'chat completions carry four finish reasons, not every Bedrock stop reason' }, async () => {
    for (const reason of ['content_filtered', 'malformed_model_output', 'malformed_tool_use', 'model_context_window_exceeded']) {
      const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user(`Say[${reason}]: cut here`) }));
      assert.equal(out.stopReason, reason);
      assert.deepEqual(out.output.message.content, [{ text: 'cut here' }]);
      const stream = await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: user(`Say[${reason}]: cut here`) }));
      const events = [];
      for await (const ev of stream.stream) events.push(ev);
      assert.equal(events.find((e) => e.messageStop).messageStop.stopReason, reason);
    }
    const anthropic = anthropicClient(server);
    const refused = await anthropic.messages.create({
      model: HAIKU,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say[content_filtered]: no more' }],
    });
    assert.equal(refused.stop_reason, 'refusal');
    const window = await anthropic.messages.create({
      model: HAIKU,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say[model_context_window_exceeded]: full' }],
    });
    assert.equal(window.stop_reason, 'model_context_window_exceeded');
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Say[tool_use]: x') })), {
      name: 'ValidationException',
      message: /Say\[\.\.\.\] control names no stop reason/,
    });
  });

  test('video, audio, searchResult and citationsContent blocks are accepted and counted', { skip: UPSTREAM && 'the proxying backends refuse what they cannot forward (video and audio to chat completions, search results to Bedrock)' }, async () => {
    const base = [{ text: 'What do these hold?' }];
    const rich = [
      ...base,
      { video: { format: 'mp4', source: { bytes: new Uint8Array(7500) } } },
      { audio: { format: 'mp3', source: { bytes: encoder.encode('ID3') } } },
      { searchResult: { source: 'https://wiki.example/a', title: 'Page A', content: [{ text: 'alpha beta' }], citations: { enabled: true } } },
      { document: { format: 'txt', name: 'notes', source: { text: 'meeting notes' }, citations: { enabled: true } } },
    ];
    const count = async (content) =>
      (await client.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: { messages: [{ role: 'user', content }] } } }))).inputTokens;
    const plainTokens = await count(base);
    const richTokens = await count(rich);
    assert.ok(richTokens > plainTokens + 10, `${richTokens} vs ${plainTokens}`);
    const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: rich }] }));
    assert.equal(out.usage.inputTokens, richTokens);
    const text = out.output.message.content[0].text;
    assert.match(text, /You attached 1 document, 1 video and 1 audio clip\. You gave me 1 search result\./);
    const history = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        messages: [
          { role: 'user', content: rich },
          { role: 'assistant', content: [{ citationsContent: { content: [{ text: 'Page A says alpha.' }], citations: [{ title: 'Page A' }] } }] },
          { role: 'user', content: [{ text: 'Say: thanks' }] },
        ],
      }),
    );
    assert.deepEqual(history.output.message.content, [{ text: 'thanks' }]);
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ video: { format: 'avi', source: { bytes: new Uint8Array(3) } } }] }] })),
      { name: 'ValidationException', message: /Value 'avi' at 'messages\.0\.member\.content\.0\.member\.video\.format'/ },
    );
  });
});
