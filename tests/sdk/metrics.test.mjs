// GET /metrics (docs/metrics.md, issue 15 item 6): after a known workload through the official
// runtime client, the exposition fetched over loopback without a signature is accepted by
// Prometheus's own checker (`promtool check metrics`, Debian's `prometheus` package) and its
// counters equal the calls made, per profile, operation and status class.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';

import { EU_REGIONS, EXTERNAL, SEED, expectServiceError, rawHttp, shippedConfigWith, startServer } from './harness.mjs';

// promtool is part of `make test`: missing, the test fails (scripts/setup installs it).
const PROMTOOL = process.env.BP_PROMTOOL || 'promtool';

function promtoolCheck(text) {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error?.code === 'ENOENT') {
    assert.fail(`${PROMTOOL} not found: install Debian's prometheus package (run scripts/setup)`);
  }
  assert.ifError(run.error);
  return run;
}

// name{labels} value lines of `family` as [{labels: {...}, value}].
function samples(text, family) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== family) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

const sum = (list, where = {}) =>
  list.filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

const fast = '{ simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }';
const say = (text) => [{ role: 'user', content: [{ text: `Say: ${text}` }] }];

describe('GET /metrics', { skip: EXTERNAL && 'needs its own server (fresh counters)' }, () => {
  let server;
  let dir;
  let runtime;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-metrics-'));
    const regions = EU_REGIONS.map((r) => `  ${r} = ${fast}`).join('\n');
    server = await startServer({ config: shippedConfigWith(dir, { regions }) });
    runtime = server.runtimeClient();
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a known workload: promtool accepts the exposition and the counters match', async () => {
    // 2 Converse + 1 ConverseStream on haiku, 1 InvokeModel on sonnet, 1 refused Converse.
    for (const text of ['one', 'two']) {
      await runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say(text) }));
    }
    const streamed = await runtime.send(new ConverseStreamCommand({ modelId: SEED.haiku.arn, messages: say('three') }));
    for await (const _event of streamed.stream) { /* drain */ }
    await runtime.send(new InvokeModelCommand({
      modelId: SEED.sonnet.arn,
      contentType: 'application/json',
      body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'Say: four' }] }),
    }));
    await expectServiceError(
      runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say('five'), inferenceConfig: { maxTokens: 10_000_000 } })),
      { name: 'ValidationException', status: 400 },
    );

    const res = await rawHttp(server.endpoint, { path: '/metrics', sign: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const text = res.text;

    const check = promtoolCheck(text);
    assert.equal(check.status, 0, `promtool check metrics failed:\n${check.stdout}${check.stderr}\n---\n${text}`);
    assert.equal(check.stdout + check.stderr, '', 'promtool reports no lint problem');

    const requests = samples(text, 'bedrock_profiles_requests_total');
    assert.equal(sum(requests), 5);
    assert.equal(sum(requests, { profile: SEED.haiku.name, operation: 'Converse', status_class: '2xx' }), 2);
    assert.equal(sum(requests, { profile: SEED.haiku.name, operation: 'ConverseStream', status_class: '2xx' }), 1);
    assert.equal(sum(requests, { profile: SEED.sonnet.name, operation: 'InvokeModel', status_class: '2xx', model: SEED.sonnet.modelId }), 1);
    assert.equal(sum(requests, { profile: SEED.haiku.name, operation: 'Converse', status_class: '4xx' }), 1);
    assert.ok(requests.every((s) => EU_REGIONS.includes(s.labels.region) || s.labels.region === '-'), 'regions from the config');
    const errors = samples(text, 'bedrock_profiles_errors_total');
    assert.deepEqual(errors.map((s) => [s.labels.code, s.value]), [['ValidationException', 1]]);

    // Every call is in the duration histogram; the streamed one has a first token.
    const durations = samples(text, 'gen_ai_server_request_duration_seconds_count');
    assert.equal(sum(durations), 5);
    assert.ok(durations.every((s) => s.labels.gen_ai_provider_name === 'aws.bedrock'));
    assert.ok(sum(samples(text, 'gen_ai_server_time_to_first_token_seconds_count'), { operation: 'ConverseStream' }) >= 1);

    // Region state from the router, one sample per configured region.
    const circuits = samples(text, 'bedrock_profiles_region_circuit_state');
    assert.deepEqual(circuits.map((s) => s.labels.region).sort(), [...EU_REGIONS].sort());
    assert.ok(circuits.every((s) => s.value === 0));
    assert.equal(sum(samples(text, 'bedrock_profiles_upstream_attempts_total'), { outcome: 'success' }), 4);

    // No secret and no caller-chosen text.
    assert.ok(!/Secret|AKIA|Say:/.test(text));
  });

  test('a reload keeps the counts', async () => {
    const before = sum(samples((await rawHttp(server.endpoint, { path: '/metrics', sign: false })).text, 'bedrock_profiles_requests_total'));
    process.kill(server.pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    await runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say('six') }));
    const res = await rawHttp(server.endpoint, { path: '/metrics', sign: false });
    assert.equal(sum(samples(res.text, 'bedrock_profiles_requests_total')), before + 1);
  });
});
