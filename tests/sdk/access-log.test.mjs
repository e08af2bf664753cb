// The JSON access log (docs/metering.md "The access log", issue 15 item 6): one line per request;
// a runtime call's line carries the usage ledger's fields, and its tokens are the ones the SDK
// reported, here for streamed calls (with a prompt-cache write, then a read) and a refused one.
// Other requests keep the plain fields.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ListFoundationModelsCommand } from '@aws-sdk/client-bedrock';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { EU_REGIONS, EXTERNAL, HAIKU_MODEL, REGION, SEED, SEED_TAGS, expectServiceError, haikuCostMicroUsd, shippedConfigWith, startServer, uniqueSuffix } from './harness.mjs';

describe('the JSON access log', { skip: EXTERNAL && 'reads the server log' }, () => {
  let server;
  let dir;
  let runtime;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-access-log-'));
    const regions = EU_REGIONS.map((r) => `  ${r} = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }`).join('\n');
    server = await startServer({ config: shippedConfigWith(dir, { regions }), args: ['--log-format', 'json'] });
    runtime = server.runtimeClient();
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const parse = (line) => {
    try {
      return JSON.parse(line);
    } catch {
      return null;
    }
  };
  const accessLine = async (requestId) => {
    const line = await server.waitForStderrLine((l) => parse(l)?.type === 'access' && parse(l).request_id === requestId);
    return parse(line);
  };
  // Every access line of `requestId` so far (after a later request's line was seen, so a second
  // line of an earlier request would have been written already).
  const linesOf = (requestId) => {
    return server.stderrLines().filter((l) => parse(l)?.type === 'access' && parse(l).request_id === requestId);
  };

  test('a streamed call: one line with the tokens the SDK reported, the cost and the ledger fields', async () => {
    const system = [{ text: Array.from({ length: 4200 }, (_, i) => `w${uniqueSuffix()}${i}`).join(' ') }, { cachePoint: { type: 'default' } }];
    const metadata = { run: `access-${uniqueSuffix()}` };
    const streamed = async (question) => {
      const out = await runtime.send(
        new ConverseStreamCommand({ modelId: SEED.haiku.arn, system, messages: [{ role: 'user', content: [{ text: `Say: ${question}` }] }], requestMetadata: metadata }),
      );
      let usage;
      for await (const event of out.stream) if (event.metadata) usage = event.metadata.usage;
      assert.ok(usage, 'the stream ended with its metadata event');
      return { id: out.$metadata.requestId, usage };
    };
    const write = await streamed('first');
    const read = await streamed('second');
    assert.ok(write.usage.cacheWriteInputTokens > 0 && read.usage.cacheReadInputTokens > 0, JSON.stringify([write.usage, read.usage]));

    for (const call of [write, read]) {
      const line = await accessLine(call.id);
      assert.equal(line.level, 'info');
      assert.equal(line.operation, 'ConverseStream');
      assert.equal(line.status, 200);
      assert.equal(line.principal, 'platform-admin');
      assert.equal(line.input_tokens, call.usage.inputTokens);
      assert.equal(line.output_tokens, call.usage.outputTokens);
      assert.equal(line.cache_read_tokens, call.usage.cacheReadInputTokens ?? 0);
      assert.equal(line.cache_write_tokens, call.usage.cacheWriteInputTokens ?? 0);
      assert.equal(line.cost_usd, haikuCostMicroUsd(call.usage) / 1e6);
      assert.equal(typeof line.price_version, 'string');
      assert.equal(line.profile, SEED.haiku.name);
      assert.equal(line.profile_arn, SEED.haiku.arn);
      assert.equal(line.model, HAIKU_MODEL);
      assert.equal(line.source_region, REGION);
      assert.ok(EU_REGIONS.includes(line.region), line.region);
      assert.equal(line.attempts, 1);
      assert.equal(line.error_code, null);
      assert.equal(line.cut_short, false);
      assert.equal(line.tokens_estimated, false); // the simulated backend reports its usage
      assert.ok(Number.isInteger(line.ttft_ms) && line.ttft_ms >= 0 && line.ttft_ms * 1000 <= line.latency_us + 1000, JSON.stringify(line));
      assert.equal(line.service_tier, null);
      assert.deepEqual(line.request_metadata, metadata);
      assert.deepEqual(line.tags, SEED_TAGS);
    }
    // A later request's line is out: each call still has exactly one.
    const later = await runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: [{ role: 'user', content: [{ text: 'Say: later' }] }] }));
    await accessLine(later.$metadata.requestId);
    assert.equal(linesOf(write.id).length, 1);
    assert.equal(linesOf(read.id).length, 1);
  });

  test('a refused call carries its error code and no tokens; other requests keep the plain fields', async () => {
    let id;
    await expectServiceError(
      runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: [{ role: 'user', content: [{ text: 'Say: x' }] }], inferenceConfig: { maxTokens: 10_000_000 } })).catch((e) => {
        id = e.$metadata?.requestId;
        throw e;
      }),
      { name: 'ValidationException', status: 400 },
    );
    assert.ok(id, 'the refusal has a request id');
    const refused = await accessLine(id);
    assert.equal(refused.status, 400);
    assert.equal(refused.error_code, 'ValidationException');
    assert.equal(refused.profile, SEED.haiku.name);
    assert.equal(refused.input_tokens, 0);
    assert.equal(refused.output_tokens, 0);
    assert.equal(refused.cost_usd, 0);
    assert.equal(refused.ttft_ms, null);

    const control = server.controlClient();
    const listed = await control.send(new ListFoundationModelsCommand({}));
    const plain = await accessLine(listed.$metadata.requestId);
    assert.equal(plain.operation, 'ListFoundationModels');
    assert.equal(plain.status, 200);
    assert.deepEqual(
      Object.keys(plain).sort(),
      ['latency_us', 'level', 'method', 'operation', 'path', 'principal', 'region', 'request_id', 'status', 'time', 'type'],
    );
  });
});
