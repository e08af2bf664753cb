// The runtime through the official clients (spec/bedrock-api.md §3-5, issue 4): all four operations
// through @aws-sdk/client-bedrock-runtime (its default h2c transport, and HTTP/1.1), messages.create
// plain and streaming through @anthropic-ai/bedrock-sdk, generateText and streamText through
// @ai-sdk/amazon-bedrock; ADR-0007 refusals; body validation; failover when a region fails 100%;
// mid-stream faults raised by the SDKs as modelled exceptions.
//
// The simulated model answers a prompt starting "Say:" with exactly the rest, so texts are exact.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
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
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { generateText, streamText } from 'ai';

import {
  ADMIN,
  EU_REGIONS,
  EXTERNAL,
  UPSTREAM,
  HAIKU_MODEL,
  RD_E2E,
  REGION,
  SEED,
  anthropicClient,
  assertMeta,
  expectServiceError,
  rawHttp,
  shippedConfigWith,
  startServer,
} from './harness.mjs';

const HAIKU = SEED.haiku.arn;
const SONNET = SEED.sonnet.arn;
const decoder = new TextDecoder();

const configWith = shippedConfigWith;

const fast = (extra = '') => `{ simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 }${extra ? `, ${extra}` : ''} }`;
const FAST_REGIONS = EU_REGIONS.map((r) => `  ${r} = ${fast()}`).join('\n');

const say = (text) => [{ role: 'user', content: [{ text: `Say: ${text}` }] }];
const anthropicBody = (text, extra = {}) =>
  JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, messages: [{ role: 'user', content: `Say: ${text}` }], ...extra });

function assertUsage(usage) {
  for (const k of ['inputTokens', 'outputTokens', 'totalTokens']) assert.ok(Number.isInteger(usage?.[k]), `usage.${k}`);
  assert.equal(usage.totalTokens, usage.inputTokens + usage.outputTokens);
  assert.ok(usage.inputTokens > 0 && usage.outputTokens > 0);
}

async function collectConverseStream(out) {
  const events = [];
  for await (const ev of out.stream) events.push(ev);
  return events;
}

const textOf = (events) => events.filter((e) => e.contentBlockDelta?.delta?.text !== undefined).map((e) => e.contentBlockDelta.delta.text).join('');

async function collectInvokeStream(out) {
  const chunks = [];
  for await (const ev of out.body) {
    assert.ok(ev.chunk, `unexpected event ${JSON.stringify(Object.keys(ev))}`);
    chunks.push(JSON.parse(decoder.decode(ev.chunk.bytes)));
  }
  return chunks;
}

function vercel(server) {
  return createAmazonBedrock({
    baseURL: server.endpoint,
    region: REGION,
    accessKeyId: ADMIN.accessKeyId,
    secretAccessKey: ADMIN.secretAccessKey,
  });
}

describe('runtime operations through the seed profiles', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-runtime-'));
    server = await startServer({ config: configWith(dir, { regions: FAST_REGIONS }) });
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Converse (h2c) answers in the Converse shape with usage, metrics and stopReason', async () => {
    const out = await server.runtimeClient().send(new ConverseCommand({ modelId: HAIKU, messages: say('hello from here') }));
    assertMeta(out);
    assert.equal(out.output.message.role, 'assistant');
    assert.deepEqual(out.output.message.content, [{ text: 'hello from here' }]);
    assert.equal(out.stopReason, 'end_turn');
    assertUsage(out.usage);
    assert.equal(out.usage.outputTokens, 3);
    assert.ok(Number.isInteger(out.metrics.latencyMs));
  });

  test('the profile id and the Anthropic-style raw-colon ARN work as modelId too', async () => {
    const client = server.runtimeClient();
    for (const modelId of [SEED.haiku.id, SONNET]) {
      const out = await client.send(new ConverseCommand({ modelId, messages: say('same answer') }));
      assert.deepEqual(out.output.message.content, [{ text: 'same answer' }], modelId);
    }
  });

  test('Converse over HTTP/1.1 (NodeHttpHandler) gives the same answer', async () => {
    const client = server.runtimeClient({ requestHandler: new NodeHttpHandler() });
    const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say('over http one one') }));
    assert.deepEqual(out.output.message.content, [{ text: 'over http one one' }]);
  });

  test('the answer is deterministic and reflects the prompt', async () => {
    const client = server.runtimeClient();
    const ask = () => client.send(new ConverseCommand({
      modelId: HAIKU,
      system: [{ text: 'You are terse.' }],
      messages: [{ role: 'user', content: [{ text: 'Tell me about the Rhine river.' }] }],
    }));
    const [a, b] = [await ask(), await ask()];
    assert.deepEqual(a.output, b.output);
    assert.deepEqual(a.usage, b.usage);
    assert.match(a.output.message.content[0].text, /Rhine/);
  });

  test('maxTokens cuts the answer (stopReason max_tokens) and stop sequences end it (stop_sequence)', async () => {
    const client = server.runtimeClient();
    const cut = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say('one two three four five'), inferenceConfig: { maxTokens: 2 } }));
    assert.equal(cut.stopReason, 'max_tokens');
    assert.equal(cut.usage.outputTokens, 2);
    assert.equal(cut.output.message.content[0].text, 'one two');
    const stop = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say('one two three four five'), inferenceConfig: { stopSequences: ['four'] } }));
    assert.equal(stop.stopReason, 'stop_sequence');
    assert.doesNotMatch(stop.output.message.content[0].text, /four/);
    assert.match(stop.output.message.content[0].text, /^one two three/);
  });

  test('Converse answers a toolUse when tools are offered and the prompt asks for one', async () => {
    const client = server.runtimeClient();
    const toolConfig = {
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }],
    };
    const out = await client.send(new ConverseCommand({
      modelId: HAIKU,
      messages: [{ role: 'user', content: [{ text: 'Use get_weather to tell me the weather in Paris.' }] }],
      toolConfig,
    }));
    assert.equal(out.stopReason, 'tool_use');
    const use = out.output.message.content.find((b) => b.toolUse)?.toolUse;
    assert.ok(use, JSON.stringify(out.output));
    assert.equal(use.name, 'get_weather');
    assert.match(use.toolUseId, /^[a-zA-Z0-9_.:-]{1,64}$/);
    assert.deepEqual(use.input, { city: 'Paris' });
    // The tool result goes back; the model now answers in text.
    const next = await client.send(new ConverseCommand({
      modelId: HAIKU,
      toolConfig,
      messages: [
        { role: 'user', content: [{ text: 'Use get_weather to tell me the weather in Paris.' }] },
        out.output.message,
        { role: 'user', content: [{ toolResult: { toolUseId: use.toolUseId, content: [{ text: 'Sunny, 21 C' }] } }] },
      ],
    }));
    assert.equal(next.stopReason, 'end_turn');
    assert.match(next.output.message.content[0].text, /Sunny, 21 C/);
  });

  test('ConverseStream streams messageStart, text deltas, contentBlockStop, messageStop and metadata last', async () => {
    const out = await server.runtimeClient().send(new ConverseStreamCommand({ modelId: HAIKU, messages: say('streaming over h2c works') }));
    const events = await collectConverseStream(out);
    assert.deepEqual(events[0], { messageStart: { role: 'assistant' } });
    assert.equal(textOf(events), 'streaming over h2c works');
    assert.ok(events.filter((e) => e.contentBlockDelta).length >= 4, 'one delta per token');
    assert.ok(events.some((e) => e.contentBlockStop?.contentBlockIndex === 0));
    const stop = events.find((e) => e.messageStop);
    assert.equal(stop.messageStop.stopReason, 'end_turn');
    const meta = events.at(-1).metadata;
    assert.ok(meta, 'metadata is the last event');
    assertUsage(meta.usage);
    assert.ok(Number.isInteger(meta.metrics.latencyMs));
  });

  test('InvokeModel answers the Anthropic Messages shape', async () => {
    const out = await server.runtimeClient().send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body: anthropicBody('hello from invoke') }));
    assertMeta(out);
    assert.equal(out.contentType, 'application/json');
    const msg = JSON.parse(decoder.decode(out.body));
    assert.match(msg.id, /^msg_bdrk_/);
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, 'claude-haiku-4-5-20251001');
    assert.deepEqual(msg.content, [{ type: 'text', text: 'hello from invoke' }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.stop_sequence, null);
    assert.equal(msg.usage.output_tokens, 3);
    assert.ok(msg.usage.input_tokens > 0);
  });

  test('InvokeModel carries token-count, latency and region headers', async () => {
    const res = await rawHttp(server.endpoint, {
      method: 'POST',
      path: `/model/${encodeURIComponent(HAIKU)}/invoke`,
      body: anthropicBody('two words'),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-amzn-bedrock-output-token-count'], '2');
    assert.equal(res.headers['x-amzn-bedrock-input-token-count'], String(res.json.usage.input_tokens));
    assert.match(res.headers['x-amzn-bedrock-invocation-latency'], /^\d+$/);
    assert.ok(EU_REGIONS.includes(res.headers['x-bedrock-profiles-region']), res.headers['x-bedrock-profiles-region']);
  });

  test('InvokeModelWithResponseStream streams Anthropic events with invocation metrics on message_stop', async () => {
    const out = await server.runtimeClient().send(new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, contentType: 'application/json', body: anthropicBody('chunks arrive one by one') }));
    assert.equal(out.contentType, 'application/json');
    const chunks = await collectInvokeStream(out);
    const types = chunks.map((c) => c.type);
    assert.equal(types[0], 'message_start');
    assert.equal(types[1], 'content_block_start');
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    const text = chunks.filter((c) => c.type === 'content_block_delta').map((c) => c.delta.text).join('');
    assert.equal(text, 'chunks arrive one by one');
    const metrics = chunks.at(-1)['amazon-bedrock-invocationMetrics'];
    assert.equal(metrics.outputTokenCount, 5);
    assert.equal(metrics.inputTokenCount, chunks[0].message.usage.input_tokens);
    assert.ok(Number.isInteger(metrics.invocationLatency) && Number.isInteger(metrics.firstByteLatency));
    assert.equal(chunks.at(-2).delta.stop_reason, 'end_turn');
  });

  test('CountTokens counts the same input tokens as Converse', async () => {
    const client = server.runtimeClient();
    const messages = say('count these tokens please');
    const conv = await client.send(new ConverseCommand({ modelId: HAIKU, messages }));
    const count = await client.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: { messages } } }));
    assert.equal(count.inputTokens, conv.usage.inputTokens);
  });

  test('@anthropic-ai/bedrock-sdk messages.create, plain and streaming', async () => {
    const client = anthropicClient(server);
    const msg = await client.messages.create({ model: HAIKU, max_tokens: 100, messages: [{ role: 'user', content: 'Say: anthropic sdk works' }] });
    assert.deepEqual(msg.content, [{ type: 'text', text: 'anthropic sdk works' }]);
    assert.equal(msg.stop_reason, 'end_turn');
    const stream = await client.messages.create({ model: HAIKU, max_tokens: 100, stream: true, system: 'be brief', messages: [{ role: 'user', content: 'Say: and it streams' }] });
    let text = '';
    const types = [];
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta') text += ev.delta.text;
    }
    assert.equal(text, 'and it streams');
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
  });

  test('@ai-sdk/amazon-bedrock generateText and streamText', async () => {
    const bedrock = vercel(server);
    const gen = await generateText({ model: bedrock(HAIKU), prompt: 'Say: vercel generate works' });
    assert.equal(gen.text, 'vercel generate works');
    assert.equal(gen.finishReason, 'stop');
    assert.ok(gen.usage.outputTokens > 0);
    const result = streamText({ model: bedrock(HAIKU), prompt: 'Say: vercel stream works too' });
    let text = '';
    for await (const part of result.textStream) text += part;
    assert.equal(text, 'vercel stream works too');
    assert.equal(await result.finishReason, 'stop');
  });

  test('ADR-0007: raw model ids, system profiles and foundation-model ARNs are refused naming the usable profiles', async () => {
    const client = server.runtimeClient({ credentials: { ...RD_E2E } });
    for (const modelId of [HAIKU_MODEL, `eu.${HAIKU_MODEL}`, `arn:aws:bedrock:eu-west-1::foundation-model/${HAIKU_MODEL}`]) {
      await expectServiceError(client.send(new ConverseCommand({ modelId, messages: say('x') })), {
        name: 'ValidationException',
        message: /application inference profile.*rd-haiku-45 \(arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile\/acwt9yee9wzo\)/,
      });
    }
    // The Anthropic SDK picks its error class by status (400 -> BadRequestError).
    const err = await anthropicClient(server, { awsAccessKey: RD_E2E.accessKeyId, awsSecretKey: RD_E2E.secretAccessKey })
      .messages.create({ model: HAIKU_MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .then(() => assert.fail('a raw model id must be refused'), (e) => e);
    assert.equal(err.status, 400);
    assert.match(err.message, /ADR-0007.*rd-haiku-45/);
  });

  test('body validation names the field', async () => {
    const client = server.runtimeClient();
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: say('x'), inferenceConfig: { maxTokens: 0 } })), {
      name: 'ValidationException',
      message: /inferenceConfig\.maxTokens/,
    });
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] })), {
      name: 'ValidationException',
      message: /must start with a user message/,
    });
    await expectServiceError(client.send(new InvokeModelCommand({ modelId: HAIKU, body: anthropicBody('x', { stream: true }) })), {
      name: 'ValidationException',
      message: /extraneous key \[stream\] is not permitted/,
    });
    await expectServiceError(client.send(new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify({ anthropic_version: 'x', messages: [] }) })), {
      name: 'ValidationException',
      message: /required key \[max_tokens\] not found/,
    });
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: say('x'), inferenceConfig: { maxTokens: 1_000_000 } })), {
      name: 'ValidationException',
      message: /exceeds the model limit of 64000/,
    });
  });

  test('any non-empty anthropic_version is accepted (the Anthropic SDK sends its own)', async () => {
    const client = server.runtimeClient();
    for (const v of ['bedrock-2023-05-31', '2026-10-21']) {
      const out = await client.send(new InvokeModelCommand({ modelId: HAIKU, body: anthropicBody('ok', { anthropic_version: v }) }));
      assert.equal(JSON.parse(decoder.decode(out.body)).content[0].text, 'ok');
    }
  });
});

describe('failover across the profile\'s EU regions', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-failover-'));
    // The home region fails every call; the two others are healthy.
    const regions = [
      `  eu-central-1 = ${fast('faults = { error_rate = 1.0 }')}`,
      `  eu-west-1 = ${fast()}`,
      `  eu-west-3 = ${fast()}`,
    ].join('\n');
    server = await startServer({ config: configWith(dir, { regions, routing: 'routing = { home_region = "eu-central-1", failure_threshold = 2, open_seconds = 60 }' }) });
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a region failing 100% never surfaces to a non-streaming caller', async () => {
    const client = server.runtimeClient();
    for (let i = 0; i < 6; i++) {
      const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say(`call ${i}`) }));
      assert.equal(out.output.message.content[0].text, `call ${i}`);
    }
    for (let i = 0; i < 3; i++) {
      const out = await client.send(new InvokeModelCommand({ modelId: SONNET, body: anthropicBody(`invoke ${i}`) }));
      assert.equal(JSON.parse(decoder.decode(out.body)).content[0].text, `invoke ${i}`);
    }
  });

  test('streams fail over too when the fault comes before the first byte', async () => {
    const out = await server.runtimeClient().send(new ConverseStreamCommand({ modelId: HAIKU, messages: say('streamed after failover') }));
    assert.equal(textOf(await collectConverseStream(out)), 'streamed after failover');
  });

  test('the serving region is in the response header, never the failing one', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await rawHttp(server.endpoint, { method: 'POST', path: `/model/${encodeURIComponent(HAIKU)}/converse`, body: JSON.stringify({ messages: say('where') }) });
      assert.equal(res.status, 200, res.text);
      assert.ok(['eu-west-1', 'eu-west-3'].includes(res.headers['x-bedrock-profiles-region']), res.headers['x-bedrock-profiles-region']);
    }
  });
});

describe('first-token timeout', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  let silent;
  const silentSockets = [];
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-ttft-'));
    // The home region would take 10 minutes to its first token; the timeout moves the call on.
    // Proxy mode: the home region's upstream accepts connections and never answers.
    let home = '  eu-central-1 = { simulated = { time_to_first_token_ms = 600000, tokens_per_second = 0 } }';
    if (UPSTREAM) {
      silent = net.createServer((socket) => silentSockets.push(socket));
      await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${silent.address().port}`;
      home =
        UPSTREAM === 'openai'
          ? `  eu-central-1 = { backend = "openai", openai = { base_url = "${url}", model = "m" } }`
          : `  eu-central-1 = { backend = "bedrock", bedrock = { endpoint = "${url}" } }`;
    }
    const regions = [
      home,
      `  eu-west-1 = ${fast()}`,
      `  eu-west-3 = ${fast()}`,
    ].join('\n');
    server = await startServer({ config: configWith(dir, { regions, routing: 'routing = { first_token_timeout_ms = 300 }' }) });
  });
  after(async () => {
    if (server) await server.stop();
    for (const socket of silentSockets) socket.destroy();
    silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a region that never answers costs one timeout, not the call', async () => {
    const started = Date.now();
    const out = await server.runtimeClient().send(new ConverseStreamCommand({ modelId: HAIKU, messages: say('moved on in time') }));
    assert.equal(textOf(await collectConverseStream(out)), 'moved on in time');
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    const res = await rawHttp(server.endpoint, { method: 'POST', path: `/model/${encodeURIComponent(HAIKU)}/converse`, body: JSON.stringify({ messages: say('again') }) });
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.headers['x-bedrock-profiles-region'], 'eu-central-1');
  });
});

describe('faults', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-faults-'));
    const regions = EU_REGIONS.map((r) => `  ${r} = ${fast('faults = { mid_stream_error_rate = 1.0 }')}`).join('\n');
    server = await startServer({ config: configWith(dir, { regions }) });
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a mid-stream fault reaches ConverseStream callers as ModelStreamErrorException', async () => {
    const out = await server.runtimeClient().send(new ConverseStreamCommand({ modelId: HAIKU, messages: say('this stream breaks halfway through') }));
    const seen = [];
    await assert.rejects(
      (async () => {
        for await (const ev of out.stream) seen.push(ev);
      })(),
      (e) => e.name === 'ModelStreamErrorException' && e.message.length > 0,
    );
    assert.deepEqual(seen[0], { messageStart: { role: 'assistant' } });
    assert.ok(seen.some((e) => e.contentBlockDelta), 'some text arrived before the fault');
    assert.ok(!seen.some((e) => e.messageStop), 'no messageStop after a fault');
  });

  test('a mid-stream fault reaches InvokeModelWithResponseStream callers as ModelStreamErrorException', async () => {
    const out = await server.runtimeClient().send(new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: anthropicBody('this stream breaks too') }));
    await assert.rejects(collectInvokeStream(out), (e) => e.name === 'ModelStreamErrorException');
  });

  test('the Anthropic SDK raises the in-stream error', async () => {
    const stream = await anthropicClient(server).messages.create({ model: HAIKU, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Say: breaking for anthropic' }] });
    await assert.rejects(
      (async () => {
        for await (const ev of stream) void ev;
      })(),
      (e) => /modelStreamErrorException|failed mid-answer/i.test(`${e.message} ${JSON.stringify(e.error ?? {})}`),
    );
  });

  test('Vercel streamText gets an error part', async () => {
    const errors = [];
    const result = streamText({ model: vercel(server)(HAIKU), prompt: 'Say: breaking for vercel', onError: ({ error }) => errors.push(error) });
    for await (const part of result.fullStream) void part;
    assert.ok(errors.length > 0, 'an error part was emitted');
  });

  test('a non-streaming call whose every region fails mid-answer gets ModelErrorException', async () => {
    await expectServiceError(server.runtimeClient().send(new ConverseCommand({ modelId: HAIKU, messages: say('no luck anywhere') })), {
      name: 'ModelErrorException',
    });
  });
});
