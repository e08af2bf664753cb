// Issue 15, item 4 through the official client: a profile with requests_per_minute = 2 answers
// the third call of the minute with ThrottlingException (429) naming the limit and when it
// frees, before any model work; another profile is not limited. The client does not retry
// (maxAttempts: 1), so the throttle reaches the test as the SDK's error.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { EU_REGIONS, EXTERNAL, SEED, assertMeta, expectServiceError, shippedConfigWith, startServer } from './harness.mjs';

const user = (text) => [{ role: 'user', content: [{ text }] }];

function config(dir) {
  const regions = EU_REGIONS.map((r) => `  ${r} = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }`).join('\n');
  const extra = `quotas = {\n  profiles = { rd-haiku-45 = { requests_per_minute = 2 } }\n  default_max_tokens = 256\n}`;
  return shippedConfigWith(dir, { regions, extra });
}

describe('quotas', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  let client;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-quotas-'));
    server = await startServer({ config: config(dir) });
    client = server.runtimeClient({ maxAttempts: 1 });
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the third call of the minute on a profile allowing 2 is throttled, naming the limit', async () => {
    // Two calls must land in one minute window: wait out a window about to close.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    for (let i = 0; i < 2; i += 1) {
      const out = await client.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: user(`Say: call ${i}`) }));
      assertMeta(out);
      assert.ok(out.usage.outputTokens > 0);
    }
    await expectServiceError(client.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: user('Say: three') })), {
      name: 'ThrottlingException',
      status: 429,
      message: /^Rate exceeded: profile rd-haiku-45 allows 2 requests per minute; try again in \d+ s\.$/,
    });
    // Another profile has no limit.
    const other = await client.send(new ConverseCommand({ modelId: SEED.sonnet.arn, messages: user('Say: free') }));
    assertMeta(other);
  });
});
