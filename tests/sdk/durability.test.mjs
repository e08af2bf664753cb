// Durability (BRIEF.md "Bars"): a profile the API said was created survives `kill -9`.
// Creates profiles, SIGKILLs the server the moment the last 201 has arrived, restarts it on the
// same --state dir and checks every acknowledged profile is there with the same ARN and tags.
// Needs a server the harness starts itself: skipped when BP_ENDPOINT is set.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CreateInferenceProfileCommand,
  DeleteInferenceProfileCommand,
  GetInferenceProfileCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  paginateListInferenceProfiles,
} from '@aws-sdk/client-bedrock';

import {
  APP_PROFILE_ARN_RE,
  DEFAULT_TAGS,
  EXTERNAL,
  HAIKU_SYSTEM_PROFILE,
  SEED,
  SEED_TAGS,
  SONNET_SYSTEM_PROFILE,
  collectPages,
  expectServiceError,
  startServer,
  systemProfileArn,
  tagList,
  tagMap,
} from './harness.mjs';

const ROUNDS = 4; // each: 5 creates, kill -9, restart, verify
const PER_ROUND = 5;

let server;
const acknowledged = new Map(); // arn -> {name, tags}
const deleted = new Set(); // ARNs whose delete was acknowledged

before(async () => {
  if (!EXTERNAL) server = await startServer();
});

after(async () => {
  if (server) {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'SIGTERM must drain and exit 0');
  }
});

const skip = EXTERNAL && 'needs a server the harness can kill (unset BP_ENDPOINT)';

function createInput(name, i) {
  return {
    inferenceProfileName: name,
    description: `durability ${i}`,
    modelSource: { copyFrom: systemProfileArn(i % 2 ? SONNET_SYSTEM_PROFILE : HAIKU_SYSTEM_PROFILE) },
    tags: tagList({ round: name, seq: String(i) }),
  };
}

/** After a restart: every acknowledged profile is there, unchanged; deleted ones stay deleted. */
async function verifyAll(client) {
  for (const [arn, want] of acknowledged) {
    const p = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
    assert.equal(p.inferenceProfileArn, arn);
    assert.equal(p.inferenceProfileName, want.name);
    assert.equal(p.inferenceProfileId, APP_PROFILE_ARN_RE.exec(arn)[1]);
    assert.equal(p.status, 'ACTIVE');
    const { tags } = await client.send(new ListTagsForResourceCommand({ resourceARN: arn }));
    assert.deepEqual(tagMap(tags), want.tags, `tags of ${want.name}`);
  }
  for (const arn of deleted) {
    await expectServiceError(client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn })), {
      name: 'ResourceNotFoundException',
    });
  }
  // No duplicates, nothing lost, the seed reconciled once (not re-created).
  const pages = await collectPages(paginateListInferenceProfiles({ client, pageSize: 100 }, { typeEquals: 'APPLICATION' }));
  const arns = pages.flatMap((pg) => pg.inferenceProfileSummaries.map((p) => p.inferenceProfileArn)).sort();
  assert.deepEqual(arns, [SEED.haiku.arn, SEED.sonnet.arn, ...acknowledged.keys()].sort());
  const { tags } = await client.send(new ListTagsForResourceCommand({ resourceARN: SEED.haiku.arn }));
  assert.deepEqual(tagMap(tags), SEED_TAGS);
}

describe('kill -9 right after the API acknowledged a write', { skip }, () => {
  test(`${ROUNDS} rounds of ${PER_ROUND} sequential creates, kill -9, restart`, { timeout: 60_000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const client = server.controlClient();
      for (let i = 0; i < PER_ROUND; i++) {
        const name = `durable-r${round}-${i}`;
        const out = await client.send(new CreateInferenceProfileCommand(createInput(name, i)));
        assert.equal(out.$metadata.httpStatusCode, 201);
        acknowledged.set(out.inferenceProfileArn, { name, tags: { ...DEFAULT_TAGS, round: name, seq: String(i) } });
      }
      await server.kill9(); // the SIGKILL is sent synchronously, right after the last 201
      await server.restart();
      await verifyAll(server.controlClient());
    }
  });

  test('concurrent creates: every 201 survives an immediate kill -9', { timeout: 30_000 }, async () => {
    const client = server.controlClient();
    const names = Array.from({ length: PER_ROUND }, (_, i) => `durable-par-${i}`);
    const results = await Promise.all(
      names.map((name, i) => client.send(new CreateInferenceProfileCommand(createInput(name, i)))),
    );
    await server.kill9();
    results.forEach((out, i) => {
      assert.equal(out.$metadata.httpStatusCode, 201);
      acknowledged.set(out.inferenceProfileArn, { name: names[i], tags: { ...DEFAULT_TAGS, round: names[i], seq: String(i) } });
    });
    await server.restart();
    await verifyAll(server.controlClient());
  });

  test('tag changes and deletes survive kill -9 too', { timeout: 30_000 }, async () => {
    const client = server.controlClient();
    const [first, second] = [...acknowledged.keys()];
    await client.send(new TagResourceCommand({ resourceARN: first, tags: tagList({ extra: 'yes', seq: 'changed' }) }));
    const want = acknowledged.get(first);
    want.tags = { ...want.tags, extra: 'yes', seq: 'changed' };
    await client.send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: second }));
    acknowledged.delete(second);
    deleted.add(second);
    await server.kill9();
    await server.restart();
    await verifyAll(server.controlClient());
  });

  test('SIGTERM drains and exits 0; the state survives a clean restart', { timeout: 30_000 }, async () => {
    await server.restart(); // SIGTERM (asserts exit code 0), then start on the same --state dir
    await verifyAll(server.controlClient());
  });
});
