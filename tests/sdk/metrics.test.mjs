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

import { EU_REGIONS, EXTERNAL, SEED, expectServiceError, haikuCostMicroUsd, rawHttp, shippedConfigWith, startServer } from './harness.mjs';

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

// Quota and budget gauges (docs/metrics.md): labels from the config's keys, values that move with
// the calls. The expected figures come from what the SDK reported (tokens) and the shipped
// prices (cost, computed as the ledger does).
describe('GET /metrics: quota and budget gauges', { skip: EXTERNAL && 'needs its own server config' }, () => {
  const quotaTokens = (u) => u.inputTokens + u.outputTokens + (u.cacheWriteInputTokens ?? 0);
  const ADMIN_NAME = 'platform-admin';
  const extra = [
    'quotas = {',
    '  profiles   = { rd-haiku-45 = { requests_per_minute = 100, tokens_per_minute = 200000 } }',
    `  principals = { ${ADMIN_NAME} = { tokens_per_day = 1000000 } }`,
    `  pairs      = { "${ADMIN_NAME}/rd-haiku-45" = { requests_per_minute = 50 } }`,
    '}',
    'budgets = {',
    '  profiles   = { rd-haiku-45 = { monthly_usd = 0.01, warn_at = 0.002 } }',
    `  principals = { ${ADMIN_NAME} = { monthly_usd = 5 } }`,
    '  tags       = { billing-mode = { rd = { monthly_usd = 100 } } }',
    '}',
  ].join('\n');

  let server;
  let dir;
  let runtime;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-metrics-limits-'));
    const regions = EU_REGIONS.map((r) => `  ${r} = ${fast}`).join('\n');
    server = await startServer({ config: shippedConfigWith(dir, { regions, extra }) });
    runtime = server.runtimeClient();
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async () => {
    const res = await rawHttp(server.endpoint, { path: '/metrics', sign: false });
    assert.equal(res.status, 200, res.text);
    return res.text;
  };
  const gauge = (text, family, labels) => {
    const found = samples(text, family).filter(
      (s) => Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    assert.equal(found.length, 1, `${family}${JSON.stringify(labels)}: expected one sample in\n${text}`);
    return found[0].value;
  };
  // Scrapes until `check(text)` stops throwing (a call's settlement runs on the loop that served it,
  // right after its answer; another loop may serve the scrape first), then returns the text.
  const settled = async (check, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await scrape();
      try {
        check(text);
        return text;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const minute = () => Math.floor(Date.now() / 60_000);
  const utcDay = () => Math.floor(Date.now() / 86_400_000);
  const utcMonth = () => new Date().toISOString().slice(0, 7);

  const rpm = { scope: 'profile', profile: SEED.haiku.name, limit: 'rpm' };
  const tpm = { scope: 'profile', profile: SEED.haiku.name, limit: 'tpm' };
  const tpd = { scope: 'principal', principal: ADMIN_NAME, limit: 'tpd' };
  const pair = { scope: 'pair', profile: SEED.haiku.name, principal: ADMIN_NAME, limit: 'rpm' };
  const profileBudget = { scope: 'profile', profile: SEED.haiku.name };
  const principalBudget = { scope: 'principal', principal: ADMIN_NAME };
  const tagBudget = { scope: 'tag', tag_key: 'billing-mode', tag_value: 'rd' };

  test('before any call every remaining figure is the configured limit; promtool accepts them', async () => {
    const text = await scrape();
    const check = promtoolCheck(text);
    assert.equal(check.status, 0, `promtool check metrics failed:\n${check.stdout}${check.stderr}\n---\n${text}`);
    assert.equal(check.stdout + check.stderr, '', 'promtool reports no lint problem');
    for (const [labels, limit] of [[rpm, 100], [tpm, 200_000], [tpd, 1_000_000], [pair, 50]]) {
      assert.equal(gauge(text, 'bedrock_profiles_quota_limit', labels), limit);
      assert.equal(gauge(text, 'bedrock_profiles_quota_remaining', labels), limit);
    }
    assert.equal(samples(text, 'bedrock_profiles_quota_limit').length, 4, 'one sample per configured limit');
    for (const [labels, usd] of [[profileBudget, 0.01], [principalBudget, 5], [tagBudget, 100]]) {
      assert.equal(gauge(text, 'bedrock_profiles_budget_limit_usd', labels), usd);
      assert.equal(gauge(text, 'bedrock_profiles_budget_remaining_usd', labels), usd);
      assert.equal(gauge(text, 'bedrock_profiles_budget_spent_usd', labels), 0);
      assert.equal(gauge(text, 'bedrock_profiles_budget_reserved_usd', labels), 0);
      assert.equal(gauge(text, 'bedrock_profiles_budget_warned', labels), 0);
    }
    assert.equal(gauge(text, 'bedrock_profiles_ledger_write_lag_seconds', {}), 0);
  });

  test('after calls the gauges moved by what the SDK reported', async () => {
    const windows = { minute: minute(), day: utcDay(), month: utcMonth() };
    const usages = [];
    for (const text of ['one', 'two', 'three']) {
      const out = await runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say(text), inferenceConfig: { maxTokens: 50 } }));
      usages.push(out.usage);
    }
    const streamed = await runtime.send(
      new ConverseStreamCommand({ modelId: SEED.haiku.arn, messages: say('four'), inferenceConfig: { maxTokens: 50 } }),
    );
    for await (const event of streamed.stream) if (event.metadata) usages.push(event.metadata.usage);
    assert.equal(usages.length, 4);
    const tokens = usages.reduce((a, u) => a + quotaTokens(u), 0);
    const spent = usages.reduce((a, u) => a + haikuCostMicroUsd(u), 0);
    assert.ok(tokens > 0 && spent > 0);

    const text = await settled((t) => {
      assert.equal(gauge(t, 'bedrock_profiles_budget_reserved_usd', profileBudget), 0, 'every reservation settled');
      assert.equal(gauge(t, 'bedrock_profiles_budget_spent_usd', profileBudget), spent / 1e6);
      if (minute() === windows.minute) assert.equal(gauge(t, 'bedrock_profiles_quota_remaining', tpm), 200_000 - tokens);
    });
    const check = promtoolCheck(text);
    assert.equal(check.status, 0, `promtool check metrics failed:\n${check.stdout}${check.stderr}\n---\n${text}`);
    // The minute and day windows hold only if they did not turn during the test.
    if (minute() === windows.minute) {
      assert.equal(gauge(text, 'bedrock_profiles_quota_remaining', rpm), 96);
      assert.equal(gauge(text, 'bedrock_profiles_quota_remaining', pair), 46);
      assert.equal(gauge(text, 'bedrock_profiles_quota_remaining', tpm), 200_000 - tokens);
    }
    if (utcDay() === windows.day) assert.equal(gauge(text, 'bedrock_profiles_quota_remaining', tpd), 1_000_000 - tokens);
    assert.equal(gauge(text, 'bedrock_profiles_quota_limit', rpm), 100, 'limits do not move');
    if (utcMonth() === windows.month) {
      for (const [labels, usd] of [[profileBudget, 0.01], [principalBudget, 5], [tagBudget, 100]]) {
        const micro = Math.round(usd * 1e6);
        assert.equal(gauge(text, 'bedrock_profiles_budget_spent_usd', labels), spent / 1e6);
        assert.equal(gauge(text, 'bedrock_profiles_budget_remaining_usd', labels), (micro - spent) / 1e6);
      }
      // warn_at 0.002 of $0.01: warned once $0.00002 is spent; the others never reach 80 %.
      assert.equal(gauge(text, 'bedrock_profiles_budget_warned', profileBudget), spent >= 20 ? 1 : 0);
      assert.equal(gauge(text, 'bedrock_profiles_budget_warned', tagBudget), 0);
    }
    // The ledger commits within its batch interval: the write lag returns to 0.
    await settled((t) => {
      assert.equal(sum(samples(t, 'bedrock_profiles_ledger_records_written_total')), 4);
      assert.equal(gauge(t, 'bedrock_profiles_ledger_write_lag_seconds', {}), 0);
    });
  });
});
