// Issue 15, item 5 through the official client: a monthly budget on a profile. A call whose
// worst-case cost (input + maxTokens at the model's prices) does not fit is refused with
// ServiceQuotaExceededException naming the budget, before any model work; calls that fit run
// until the spend exhausts the budget; and the spend survives a restart (rebuilt from the
// usage ledger), so the exhausted budget stays exhausted.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { EU_REGIONS, EXTERNAL, SEED, assertMeta, expectServiceError, shippedConfigWith, startServer } from './harness.mjs';

const WORDS = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
const call = (maxTokens) =>
  new ConverseCommand({ modelId: SEED.haiku.arn, messages: [{ role: 'user', content: [{ text: `Say: ${WORDS}` }] }], inferenceConfig: { maxTokens } });
const EXHAUSTED = /^Budget exhausted: profile rd-haiku-45 allows \$0\.01 per month; \$\d+\.\d\d spent or reserved, this call may cost up to \$\d+\.\d\d\.$/;

function config(dir) {
  const regions = EU_REGIONS.map((r) => `  ${r} = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }`).join('\n');
  return shippedConfigWith(dir, { regions, extra: 'budgets = { profiles = { rd-haiku-45 = { monthly_usd = 0.01 } } }' });
}

describe('budgets', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-budgets-'));
    server = await startServer({ config: config(dir) });
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a worst case above the budget is refused; calls run until the spend exhausts it, across a restart', async () => {
    let client = server.runtimeClient({ maxAttempts: 1 });
    // 2000 output tokens at $5.50 / MTok = $0.011 > $0.01: refused before any model work.
    await expectServiceError(client.send(call(2000)), { name: 'ServiceQuotaExceededException', status: 400, message: EXHAUSTED });
    let admitted = 0;
    let refusal;
    for (let i = 0; i < 100 && !refusal; i += 1) {
      try {
        assertMeta(await client.send(call(100)));
        admitted += 1;
      } catch (e) {
        refusal = e;
      }
    }
    assert.ok(refusal, 'the budget never ran out');
    assert.equal(refusal.name, 'ServiceQuotaExceededException');
    assert.match(refusal.message, EXHAUSTED);
    assert.ok(admitted >= 10 && admitted <= 25, `admitted ${admitted} calls of about $0.0005`);

    await server.restart();
    client = server.runtimeClient({ maxAttempts: 1 });
    await expectServiceError(client.send(call(100)), { name: 'ServiceQuotaExceededException', message: EXHAUSTED });
  });
});
