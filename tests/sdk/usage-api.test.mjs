// Issue 15 item 3, the read API: after a workload through the official runtime client,
// `bedrock-profiles usage --endpoint URL` (GET /usage, signed, IAM action
// bedrock-profiles:GetUsage) prints byte for byte what `usage --state DIR` prints for the same
// window, in every format, with the shipped admin's keys; the shipped consumer is refused with
// AccessDeniedException, an unsigned request with MissingAuthenticationToken. curl's own SigV4
// signer (--aws-sigv4) gets the same JSON.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { ADMIN, EU_REGIONS, EXTERNAL, RD_E2E, REGION, SEED, expectServiceError, rawHttp, shippedConfigWith, startServer } from './harness.mjs';

const fast = '{ simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }';
const say = (text) => [{ role: 'user', content: [{ text: `Say: ${text}` }] }];
// A fixed window around now: both reads see exactly the same calls and print the same header.
const FROM = new Date(Date.now() - 3_600_000).toISOString();
const TO = new Date(Date.now() + 3_600_000).toISOString();
const BY = ['--by', 'profile', '--by', 'operation', '--by', 'tag:billing-mode'];

function run(server, args) {
  return spawnSync(server.binary, ['usage', ...args], { encoding: 'utf8' });
}

describe('GET /usage and usage --endpoint', { skip: EXTERNAL && 'compares with the server state directory' }, () => {
  let server;
  let dir;
  let calls = 0;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-usage-api-'));
    const regions = EU_REGIONS.map((r) => `  ${r} = ${fast}`).join('\n');
    server = await startServer({ config: shippedConfigWith(dir, { regions }) });
    // The workload, as the consumer: plain, streamed, on both profiles, and one refused call.
    const runtime = server.runtimeClient({ credentials: { ...RD_E2E } });
    for (const text of ['one', 'two']) {
      await runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say(text) }));
      calls++;
    }
    const streamed = await runtime.send(new ConverseStreamCommand({ modelId: SEED.sonnet.arn, messages: say('three') }));
    for await (const _event of streamed.stream) { /* drain */ }
    calls++;
    await expectServiceError(
      runtime.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say('four'), inferenceConfig: { maxTokens: 10_000_000 } })),
      { name: 'ValidationException', status: 400 },
    );
    calls++;
    // The ledger writes within a second (docs/metering.md): wait until it holds every call.
    for (let i = 0; i < 100; i++) {
      const out = JSON.parse(execFileSync(server.binary, ['usage', '--state', server.stateDir, '--json', '--from', FROM, '--to', TO], { encoding: 'utf8' }));
      if (out.total.requests === calls) break;
      await sleep(50);
    }
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('with the shipped admin, every format equals usage --state byte for byte', () => {
    const admin = ['--endpoint', server.endpoint, '--principal', 'platform-admin'];
    for (const format of [[], ['--json'], ['--csv']]) {
      const window = ['--from', FROM, '--to', TO, ...BY, ...format];
      const local = run(server, ['--state', server.stateDir, ...window]);
      const remote = run(server, [...admin, ...window]);
      assert.equal(local.status, 0, local.stderr);
      assert.equal(remote.status, 0, remote.stderr);
      assert.equal(remote.stdout, local.stdout, `format ${format.join(' ') || 'table'}`);
    }
    const report = JSON.parse(run(server, [...admin, '--json', '--from', FROM, '--to', TO]).stdout);
    assert.equal(report.total.requests, calls);
    assert.equal(report.total.errors, 1);
  });

  test('the consumer is refused with AccessDeniedException, in one line', () => {
    const denied = run(server, ['--endpoint', server.endpoint, '--principal', 'rd-e2e', '--by', 'profile']);
    assert.equal(denied.status, 1);
    assert.equal(denied.stdout, '');
    assert.match(denied.stderr, /^error: AccessDeniedException: User: arn:aws:iam::123456789012:role\/rd-e2e is not authorized to perform: bedrock-profiles:GetUsage on resource: arn:aws:bedrock-profiles:eu-central-1:123456789012:usage\b[^\n]*\n$/);
  });

  test('unsigned, badly asked, and signed raw requests', async () => {
    const unsigned = await rawHttp(server.endpoint, { path: '/usage?by=profile', sign: false });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');

    const bad = await rawHttp(server.endpoint, { path: '/usage?by=team' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-amzn-errortype'], 'ValidationException');
    assert.match(bad.json.message, /^by=team: expected profile, principal, model, region, operation, tag:KEY or metadata:KEY$/);
    const both = await rawHttp(server.endpoint, { path: '/usage?since=1h&from=2026-01-01' });
    assert.equal(both.status, 400);
    assert.match(both.json.message, /since excludes from and to/);

    // Signed as the admin by the SDK's own signer; `since` is resolved by the server.
    const ok = await rawHttp(server.endpoint, { path: '/usage?by=profile&since=1h' });
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.headers['content-type'], /^application\/json/);
    assert.equal(ok.json.total.requests, calls);
    assert.deepEqual(ok.json.groups.map((g) => g.keys.profile).sort(), [SEED.haiku.name, SEED.sonnet.name]);
  });

  test('curl --aws-sigv4 reads the same report', (t) => {
    const query = `by=profile&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
    const curl = (keys) =>
      spawnSync('curl', ['-sS', '--aws-sigv4', `aws:amz:${REGION}:bedrock`, '--user', `${keys.accessKeyId}:${keys.secretAccessKey}`, '-w', '\n%{http_code}', `${server.endpoint}/usage?${query}`], { encoding: 'utf8' });
    const admin = curl(ADMIN);
    if (admin.error?.code === 'ENOENT') return t.skip('curl is not installed');
    assert.equal(admin.status, 0, admin.stderr);
    const [body, code] = admin.stdout.split(/\n(?=\d+$)/);
    assert.equal(code, '200', body);
    const local = execFileSync(server.binary, ['usage', '--state', server.stateDir, '--json', '--by', 'profile', '--from', FROM, '--to', TO], { encoding: 'utf8' });
    assert.equal(`${body}`, local);
    const consumer = curl(RD_E2E);
    assert.match(consumer.stdout, /\n403$/);
    assert.match(consumer.stdout, /bedrock-profiles:GetUsage/);
  });
});
