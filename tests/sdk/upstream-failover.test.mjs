// Issue 16's failover drill against real upstream processes: the three EU regions are three
// SigV4-verifying Bedrock fakes (tests/fakes), the home one pacing its answers. The home
// upstream is killed (SIGKILL) while a ConverseStream it serves is under way: that stream ends
// with the in-stream exception the SDK raises, no non-streaming call fails (they move to the
// other regions), the home region's circuit opens; the upstream comes back on the same port and
// the circuit closes again with calls served at home.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { EXTERNAL, SEED, rawHttp, shippedConfigWith, startServer } from './harness.mjs';
import { UPSTREAM_AWS, startFake } from './upstreams.mjs';

const HAIKU = SEED.haiku.arn;
const fakeArgs = (region, extra = []) => [
  'bedrock', '--region', region,
  '--access-key-id', UPSTREAM_AWS.accessKeyId, '--secret-access-key', UPSTREAM_AWS.secretAccessKey,
  ...extra,
];
const HOME_ARGS = fakeArgs('eu-central-1', ['--tokens-per-second', '40']);
const say = (text) => [{ role: 'user', content: [{ text: `Say: ${text}` }] }];

async function circuitState(server, region) {
  const res = await rawHttp(server.endpoint, { path: '/metrics' });
  assert.equal(res.status, 200, res.text);
  const m = new RegExp(`^bedrock_profiles_region_circuit_state\\{region="${region}"\\} (\\d)`, 'm').exec(res.text);
  assert.ok(m, `no circuit gauge for ${region}`);
  return Number(m[1]);
}

describe('failover between real upstreams', { skip: EXTERNAL && 'needs its own upstreams' }, () => {
  let server;
  let dir;
  let home;
  let homeListen;
  const others = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-upstream-failover-'));
    home = await startFake(HOME_ARGS);
    homeListen = new URL(home.url).host;
    for (const region of ['eu-west-1', 'eu-west-3']) others.push({ region, ...(await startFake(fakeArgs(region))) });
    const regions = [
      `  eu-central-1 = { backend = "bedrock", bedrock = { endpoint = "${home.url}", connect_timeout_ms = 500 } }`,
      ...others.map((o) => `  ${o.region} = { backend = "bedrock", bedrock = { endpoint = "${o.url}" } }`),
    ].join('\n');
    server = await startServer({
      config: shippedConfigWith(dir, {
        regions,
        routing: 'routing = { home_region = "eu-central-1", failure_threshold = 2, open_seconds = 1, max_open_seconds = 1 }',
      }),
      env: { AWS_ACCESS_KEY_ID: UPSTREAM_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: UPSTREAM_AWS.secretAccessKey },
    });
  });
  after(async () => {
    if (server) await server.stop();
    home?.child.kill('SIGKILL');
    for (const o of others) o.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('the upstream dies mid-stream: the stream raises, no plain call fails, the circuit opens', async () => {
    const client = server.runtimeClient();
    // Served at home while it is healthy.
    const regions = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        regions.push(result.response.headers['x-bedrock-profiles-region']);
        return result;
      },
      { step: 'deserialize', name: 'servedRegion' },
    );
    const first = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say('from home') }));
    assert.equal(first.output.message.content[0].text, 'from home');
    assert.equal(regions.at(-1), 'eu-central-1');

    // A long stream from home (40 tokens/s): kill the upstream after its first delta.
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const out = await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: say(words), inferenceConfig: { maxTokens: 400 } }));
    let deltas = 0;
    await assert.rejects(
      (async () => {
        for await (const ev of out.stream) {
          if (ev.contentBlockDelta && deltas++ === 0) home.child.kill('SIGKILL');
        }
      })(),
      (e) => ['ServiceUnavailableException', 'ModelStreamErrorException'].includes(e.name) && /eu-central-1/.test(e.message),
    );
    assert.ok(deltas >= 1 && deltas < 200, `${deltas} deltas before the cut`);

    // Plain calls never fail: each moves on to a healthy region.
    regions.length = 0;
    for (let i = 0; i < 6; i++) {
      const r = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say(`after ${i}`) }));
      assert.equal(r.output.message.content[0].text, `after ${i}`);
    }
    assert.ok(regions.every((r) => r === 'eu-west-1' || r === 'eu-west-3'), `${regions}`);
    assert.equal(await circuitState(server, 'eu-central-1'), 1);
  });

  test('the upstream comes back: the circuit closes and home serves again', async () => {
    home = await startFake(HOME_ARGS, homeListen);
    const client = server.runtimeClient();
    let served;
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        served = result.response.headers['x-bedrock-profiles-region'];
        return result;
      },
      { step: 'deserialize', name: 'servedRegion' },
    );
    for (let i = 0; i < 40 && served !== 'eu-central-1'; i++) {
      await sleep(250);
      const r = await client.send(new ConverseCommand({ modelId: HAIKU, messages: say(`probe ${i}`) }));
      assert.equal(r.output.message.content[0].text, `probe ${i}`);
    }
    assert.equal(served, 'eu-central-1', 'home never served again');
    assert.equal(await circuitState(server, 'eu-central-1'), 0);
  });
});
