// Issue 15 through the official clients: a known workload (Converse, ConverseStream, InvokeModel,
// InvokeModelWithResponseStream, CountTokens, a cached prompt written then read, a stream the client
// abandons, a refused call) and then `bedrock-profiles usage --json` on the server's state
// directory while it runs: the ledger's totals equal, to the token, what the SDKs reported, and
// the cost equals the hand-computed figure at the shipped prices.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';

import { EXTERNAL, SEED, expectServiceError, haikuCostMicroUsd, startServer, uniqueSuffix } from './harness.mjs';

const HAIKU = SEED.haiku.arn;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One record's cost, from the {input, output, cacheRead, cacheWrite} this suite keeps. */
const costMicroUsd = (t) =>
  haikuCostMicroUsd({ inputTokens: t.input, outputTokens: t.output, cacheReadInputTokens: t.cacheRead, cacheWriteInputTokens: t.cacheWrite });

function usage(server, ...args) {
  const out = execFileSync(server.binary, ['usage', '--state', server.stateDir, '--json', ...args], { encoding: 'utf8' });
  return JSON.parse(out);
}

describe('metering: the usage ledger against what the SDKs reported', { skip: EXTERNAL && 'reads the server state directory' }, () => {
  let server;
  let client;
  before(async () => {
    server = await startServer();
    client = server.runtimeClient();
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('usage --json totals equal the SDK-reported tokens, and the cost the hand-computed one', async () => {
    const seen = []; // {op, input, output, cacheRead, cacheWrite}
    const run = `run-${uniqueSuffix()}`;
    const meta = { run };

    for (let i = 0; i < 3; i++) {
      const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: `Say: call ${i}` }] }], requestMetadata: meta }));
      seen.push({ op: 'Converse', input: out.usage.inputTokens, output: out.usage.outputTokens, cacheRead: 0, cacheWrite: 0 });
    }

    const stream = await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Tell me about caching.' }] }], requestMetadata: meta }));
    let streamed;
    for await (const ev of stream.stream) if (ev.metadata) streamed = ev.metadata.usage;
    seen.push({ op: 'ConverseStream', input: streamed.inputTokens, output: streamed.outputTokens, cacheRead: 0, cacheWrite: 0 });

    // A cached prefix: written, then read (Claude Haiku 4.5 caches from 4,096 tokens).
    const prefix = Array.from({ length: 4200 }, (_, i) => `w${run}x${i}`).join(' ');
    for (let i = 0; i < 2; i++) {
      const out = await client.send(
        new ConverseCommand({
          modelId: HAIKU,
          system: [{ text: prefix }, { cachePoint: { type: 'default' } }],
          messages: [{ role: 'user', content: [{ text: 'Say: cached' }] }],
          requestMetadata: meta,
        }),
      );
      const u = out.usage;
      seen.push({ op: 'Converse', input: u.inputTokens, output: u.outputTokens, cacheRead: u.cacheReadInputTokens ?? 0, cacheWrite: u.cacheWriteInputTokens ?? 0 });
    }
    assert.ok(seen.at(-2).cacheWrite > 0 && seen.at(-1).cacheRead > 0, JSON.stringify(seen.slice(-2)));

    const body = (text) => JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: text }] });
    const invoked = await client.send(new InvokeModelCommand({ modelId: HAIKU, body: body('Say: invoked'), requestMetadata: JSON.stringify(meta) }));
    const answer = JSON.parse(decoder.decode(invoked.body));
    seen.push({ op: 'InvokeModel', input: answer.usage.input_tokens, output: answer.usage.output_tokens, cacheRead: 0, cacheWrite: 0 });

    const invokeStream = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: body('Say: streamed invoke'), requestMetadata: JSON.stringify(meta) }));
    let metrics;
    for await (const ev of invokeStream.body) {
      const chunk = JSON.parse(decoder.decode(ev.chunk.bytes));
      if (chunk.type === 'message_stop') metrics = chunk['amazon-bedrock-invocationMetrics'];
    }
    seen.push({ op: 'InvokeModelWithResponseStream', input: metrics.inputTokenCount, output: metrics.outputTokenCount, cacheRead: 0, cacheWrite: 0 });

    // Not inference: counted as a request, with no tokens and no cost.
    await client.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: { messages: [{ role: 'user', content: [{ text: 'count me' }] }] } } }));
    // Refused (a raw model id, ADR-0007) before its body was read: a request and an error, no
    // tokens, and no requestMetadata (so not in this run's group).
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: SEED.haiku.modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }], requestMetadata: meta })),
      { name: 'ValidationException' },
    );
    // Abandoned after its first event: metered as far as it got. A 1,500-token answer at the
    // shipped 150 tokens/s takes 10 s, so the server cannot finish it before the client goes,
    // however loaded the machine (a 25-80 token paragraph could, under ASan).
    const abort = new AbortController();
    const longText = `Say: ${Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ')}`;
    const abandoned = await client.send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: longText }] }], inferenceConfig: { maxTokens: 2000 } }),
      { abortSignal: abort.signal },
    );
    try {
      for await (const ev of abandoned.stream) {
        if (ev.contentBlockDelta) {
          abort.abort();
          break;
        }
      }
    } catch {
      // the abort surfaces as an error on some transports
    }

    // The ledger writes within a second (docs/metering.md); read it while the server runs.
    const want = seen.reduce(
      (a, s) => ({ input: a.input + s.input, output: a.output + s.output, cacheRead: a.cacheRead + s.cacheRead, cacheWrite: a.cacheWrite + s.cacheWrite }),
      { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    );
    const wantCost = seen.reduce((a, s) => a + costMicroUsd(s), 0);
    let report;
    for (let i = 0; i < 50; i++) {
      report = usage(server, '--by', 'metadata:run');
      const mine = report.groups.find((g) => g.keys['metadata:run'] === run);
      if (mine && mine.requests === seen.length) break;
      await sleep(100);
    }
    const mine = report.groups.find((g) => g.keys['metadata:run'] === run);
    assert.ok(mine, JSON.stringify(report));
    assert.equal(mine.requests, seen.length);
    assert.equal(mine.errors, 0);
    assert.equal(mine.input_tokens, want.input);
    assert.equal(mine.output_tokens, want.output);
    assert.equal(mine.cache_read_tokens, want.cacheRead);
    assert.equal(mine.cache_write_tokens, want.cacheWrite);
    assert.equal(mine.cost_micro_usd, wantCost);

    // By operation: every kind is there, CountTokens without tokens, and the abandoned stream.
    const byOp = usage(server, '--by', 'operation');
    const op = (name) => byOp.groups.find((g) => g.keys.operation === name);
    assert.equal(op('CountTokens').requests, 1);
    assert.equal(op('CountTokens').input_tokens, 0);
    assert.equal(op('CountTokens').cost_micro_usd, 0);
    assert.equal(op('InvokeModel').requests, 1);
    assert.equal(op('InvokeModelWithResponseStream').requests, 1);
    for (let i = 0; i < 50 && op('ConverseStream')?.requests !== 2; i++) {
      await sleep(100);
      Object.assign(byOp, usage(server, '--by', 'operation'));
    }
    assert.equal(op('ConverseStream').requests, 2, JSON.stringify(byOp));
    assert.ok(op('ConverseStream').output_tokens > streamed.outputTokens, 'the abandoned stream counts what it produced');
    assert.equal(byOp.total.requests, seen.length + 3);
    assert.equal(byOp.total.errors, 2, 'the refused call and the abandoned stream');

    // The other formats and the cross table.
    const csv = execFileSync(server.binary, ['usage', '--state', server.stateDir, '--csv', '--by', 'tag:billing-mode', '--by', 'profile'], { encoding: 'utf8' });
    assert.match(csv, /^tag:billing-mode,profile,requests,/);
    assert.match(csv, /\r\nrd,rd-haiku-45,/);
    const table = execFileSync(server.binary, ['usage', '--state', server.stateDir, '--by', 'profile', '--since', '1h'], { encoding: 'utf8' });
    assert.match(table, /\nrd-haiku-45 +\d+/);
    assert.match(table, /\nTOTAL +\d+/);
  });
});
