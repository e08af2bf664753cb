// Control plane (service `bedrock`, restJson1 over HTTP/1.1) through @aws-sdk/client-bedrock,
// against `serve` with the shipped default config: the seed's profiles, CRUD, tags, pagination,
// the foundation-model catalog, and raw bad input. See spec/bedrock-api.md §1-§2 and §6.
//
// The exact-set checks of the seed assume a fresh server (the default: the harness spawns one).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CreateInferenceProfileCommand,
  DeleteInferenceProfileCommand,
  GetFoundationModelCommand,
  GetInferenceProfileCommand,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListInferenceProfiles,
} from '@aws-sdk/client-bedrock';

import {
  APP_PROFILE_ARN_RE,
  DEFAULT_TAGS,
  EU_REGIONS,
  EXTERNAL,
  HAIKU_MODEL,
  HAIKU_SYSTEM_PROFILE,
  REGION,
  SEED,
  SEED_TAGS,
  SONNET_MODEL,
  SONNET_SYSTEM_PROFILE,
  assertMeta,
  assertRawError,
  assertRecentDate,
  collectPages,
  expectServiceError,
  fmArn,
  rawHttp,
  startServer,
  systemProfileArn,
  tagList,
  tagMap,
  uniqueSuffix,
} from './harness.mjs';

let server;
let bedrock;
const run = uniqueSuffix(); // keeps names apart from earlier runs when BP_ENDPOINT is reused
const created = new Set(); // ARNs to delete at the end

before(async () => {
  server = await startServer();
  bedrock = server.controlClient();
});

after(async () => {
  // Leave a shared server as we found it; a spawned one is thrown away anyway.
  if (server && EXTERNAL) {
    for (const arn of created) {
      await bedrock.send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: arn })).catch(() => {});
    }
  }
  if (server) {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'SIGTERM must drain and exit 0');
  }
});

// ---------------------------------------------------------------------------------------------
// Helpers.

const send = (cmd) => bedrock.send(cmd);

async function listAll(typeEquals, pageSize) {
  const pages = await collectPages(
    paginateListInferenceProfiles({ client: bedrock, ...(pageSize ? { pageSize } : {}) }, typeEquals ? { typeEquals } : {}),
  );
  return pages.flatMap((p) => p.inferenceProfileSummaries ?? []);
}

async function applicationArns() {
  return (await listAll('APPLICATION')).map((p) => p.inferenceProfileArn).sort();
}

async function create(input) {
  const out = await send(new CreateInferenceProfileCommand(input));
  assertMeta(out, 201);
  assert.match(out.inferenceProfileArn, APP_PROFILE_ARN_RE);
  assert.equal(out.status, 'ACTIVE');
  created.add(out.inferenceProfileArn);
  return out;
}

async function tagsOf(arn) {
  const out = await send(new ListTagsForResourceCommand({ resourceARN: arn }));
  assertMeta(out);
  return tagMap(out.tags);
}

const sortedModelArns = (p) => (p.models ?? []).map((m) => m.modelArn).sort();
const euModelArns = (modelId) => EU_REGIONS.map((r) => fmArn(r, modelId)).sort();

function assertProfileShape(p) {
  for (const k of ['inferenceProfileName', 'inferenceProfileArn', 'inferenceProfileId', 'status', 'type']) {
    assert.equal(typeof p[k], 'string', `${k} must be a string in ${JSON.stringify(p)}`);
  }
  assert.equal(p.status, 'ACTIVE');
  assert.ok(Array.isArray(p.models) && p.models.length >= 1, 'models must be a non-empty list');
  for (const [k, d] of [['createdAt', p.createdAt], ['updatedAt', p.updatedAt]]) {
    assert.ok(d instanceof Date && !Number.isNaN(d.getTime()), `${k} must parse as a Date`);
  }
  assert.ok(p.createdAt.getTime() <= p.updatedAt.getTime(), 'createdAt <= updatedAt');
  assert.ok(p.inferenceProfileArn.endsWith(`/${p.inferenceProfileId}`), 'ARN ends with the id');
}

// ---------------------------------------------------------------------------------------------

describe('the seed (default config)', () => {
  test('ListInferenceProfiles typeEquals=APPLICATION lists exactly the two seed profiles', async () => {
    const out = await send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' }));
    assertMeta(out);
    const all = await listAll('APPLICATION');
    assert.deepEqual(all.map((p) => p.inferenceProfileArn).sort(), [SEED.haiku.arn, SEED.sonnet.arn].sort());
    for (const seed of [SEED.haiku, SEED.sonnet]) {
      const p = all.find((x) => x.inferenceProfileArn === seed.arn);
      assertProfileShape(p);
      assert.equal(p.inferenceProfileName, seed.name);
      assert.equal(p.inferenceProfileId, seed.id);
      assert.equal(p.description, seed.description);
      assert.equal(p.type, 'APPLICATION');
      assert.deepEqual(sortedModelArns(p), euModelArns(seed.modelId));
    }
  });

  test('ListInferenceProfiles without a type lists only the SYSTEM_DEFINED eu. profiles', async () => {
    const byDefault = await listAll(undefined);
    const arns = byDefault.map((p) => p.inferenceProfileArn).sort();
    // The built-in catalog's EU line-up, the seed's two among them.
    for (const id of [HAIKU_SYSTEM_PROFILE, SONNET_SYSTEM_PROFILE]) {
      assert.ok(arns.includes(systemProfileArn(id)), `${id} missing`);
    }
    for (const p of byDefault) {
      assertProfileShape(p);
      assert.equal(p.type, 'SYSTEM_DEFINED');
      assert.match(p.inferenceProfileId, /^eu\./);
      for (const m of p.models) {
        assert.match(m.modelArn, /^arn:aws:bedrock:eu-[a-z]+-[0-9]::foundation-model\//);
        assert.equal(m.modelArn.split('/')[1], p.inferenceProfileId.slice(3));
      }
      if ([HAIKU_SYSTEM_PROFILE, SONNET_SYSTEM_PROFILE].includes(p.inferenceProfileId)) {
        assert.deepEqual(sortedModelArns(p), euModelArns(p.inferenceProfileId.slice(3)));
      }
    }
    const explicit = await listAll('SYSTEM_DEFINED');
    assert.deepEqual(explicit.map((p) => p.inferenceProfileArn).sort(), arns);
  });

  test('the seed profiles carry default_tags with billing-mode overridden to rd', async () => {
    assert.deepEqual(await tagsOf(SEED.haiku.arn), SEED_TAGS);
    assert.deepEqual(await tagsOf(SEED.sonnet.arn), SEED_TAGS);
  });

  test('the startup banner lists the served profiles after the listening line', async (t) => {
    if (server.external) return t.skip('server not started by the harness');
    // The table follows the first line; give the pipe a moment to deliver it.
    const deadline = Date.now() + 5000;
    const has = () => [SEED.haiku.arn, SEED.sonnet.arn].every((a) => server.stdoutLines.some((l) => l.includes(a)));
    while (!has() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(has(), `banner:\n${server.stdoutLines.join('\n')}`);
  });
});

describe('GetInferenceProfile', () => {
  test('by id and by ARN answer the same application profile', async () => {
    const byId = await send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: SEED.haiku.id }));
    assertMeta(byId);
    const byArn = await send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: SEED.haiku.arn }));
    assertMeta(byArn);
    const { $metadata: _a, ...a } = byId;
    const { $metadata: _b, ...b } = byArn;
    assert.deepEqual(a, b);
    assertProfileShape(a);
    assert.equal(a.inferenceProfileArn, SEED.haiku.arn);
    assert.equal(a.inferenceProfileName, SEED.haiku.name);
    assert.equal(a.type, 'APPLICATION');
    assert.deepEqual(sortedModelArns(a), euModelArns(HAIKU_MODEL));
  });

  test('by system profile id and ARN answer the SYSTEM_DEFINED profile', async () => {
    for (const ident of [SONNET_SYSTEM_PROFILE, systemProfileArn(SONNET_SYSTEM_PROFILE)]) {
      const p = await send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: ident }));
      assertMeta(p);
      assertProfileShape(p);
      assert.equal(p.type, 'SYSTEM_DEFINED');
      assert.equal(p.inferenceProfileId, SONNET_SYSTEM_PROFILE);
      assert.equal(p.inferenceProfileArn, systemProfileArn(SONNET_SYSTEM_PROFILE));
      assert.deepEqual(sortedModelArns(p), euModelArns(SONNET_MODEL));
    }
  });

  test('an unknown profile is ResourceNotFoundException (404)', async () => {
    for (const ident of ['zzzzzzzzzzzz', `arn:aws:bedrock:${REGION}:123456789012:application-inference-profile/zzzzzzzzzzzz`, 'eu.anthropic.claude-nope-v1:0']) {
      await expectServiceError(send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: ident })), {
        name: 'ResourceNotFoundException',
        status: 404,
      });
    }
  });

  test('a malformed identifier is ValidationException (400)', async () => {
    for (const ident of ['bad id!', 'x'.repeat(2049), 'arn:aws:bedrock:eu-central-1:123456789012:foundation-model/x']) {
      await expectServiceError(send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: ident })), {
        name: 'ValidationException',
        status: 400,
      });
    }
  });
});

describe('CreateInferenceProfile', () => {
  test('from a system-defined profile ARN: 201, multi-region models, merged tags', async () => {
    const name = `sdk-${run}-from-system`;
    const out = await create({
      inferenceProfileName: name,
      description: 'Created by the SDK suite',
      modelSource: { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) },
      tags: tagList({ team: 'sdk', 'billing-mode': 'rd' }),
    });
    const p = await send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: out.inferenceProfileArn }));
    assertProfileShape(p);
    assert.equal(p.inferenceProfileArn, out.inferenceProfileArn);
    assert.equal(p.inferenceProfileId, APP_PROFILE_ARN_RE.exec(out.inferenceProfileArn)[1]);
    assert.equal(p.inferenceProfileName, name);
    assert.equal(p.description, 'Created by the SDK suite');
    assert.equal(p.type, 'APPLICATION');
    assert.deepEqual(sortedModelArns(p), euModelArns(HAIKU_MODEL));
    assertRecentDate(p.createdAt, 'createdAt');
    assertRecentDate(p.updatedAt, 'updatedAt');
    // default_tags merged with the request's tags; the request wins on billing-mode.
    assert.deepEqual(await tagsOf(out.inferenceProfileArn), { ...DEFAULT_TAGS, team: 'sdk', 'billing-mode': 'rd' });
  });

  test('from a foundation-model ARN: a single-region profile with only default_tags', async () => {
    const name = `sdk ${run} from model`; // single spaces are valid in names
    const source = fmArn('eu-west-1', SONNET_MODEL);
    const out = await create({ inferenceProfileName: name, modelSource: { copyFrom: source } });
    const p = await send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: out.inferenceProfileArn }));
    assertProfileShape(p);
    assert.equal(p.inferenceProfileName, name);
    assert.equal(p.description, undefined, 'an absent description is omitted, not null or ""');
    assert.deepEqual(sortedModelArns(p), [source]);
    assert.deepEqual(await tagsOf(out.inferenceProfileArn), DEFAULT_TAGS);
  });

  test('the same clientRequestToken twice answers the same ARN and creates one profile', async () => {
    const before = await applicationArns();
    const input = {
      inferenceProfileName: `sdk-${run}-idempotent`,
      clientRequestToken: `sdk-${run}-token-1`,
      modelSource: { copyFrom: systemProfileArn(SONNET_SYSTEM_PROFILE) },
    };
    const first = await create(input);
    const second = await create(input);
    assert.equal(second.inferenceProfileArn, first.inferenceProfileArn);
    const afterArns = await applicationArns();
    assert.deepEqual(afterArns, [...before, first.inferenceProfileArn].sort());
  });

  test('a duplicate name is ConflictException and creates nothing', async () => {
    const name = `sdk-${run}-dup`;
    await create({ inferenceProfileName: name, modelSource: { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) } });
    const before = await applicationArns();
    await expectServiceError(
      send(new CreateInferenceProfileCommand({ inferenceProfileName: name, modelSource: { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) } })),
      { name: 'ConflictException', status: 400 },
    );
    await expectServiceError(
      send(new CreateInferenceProfileCommand({ inferenceProfileName: SEED.haiku.name, modelSource: { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) } })),
      { name: 'ConflictException', status: 400 },
    );
    assert.deepEqual(await applicationArns(), before);
  });

  const source = { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) };
  const refusals = [
    ['a doubled separator in the name', { inferenceProfileName: `sdk-${run}--bad`, modelSource: source }, 'ValidationException', /inferenceProfileName/],
    ['a leading separator in the name', { inferenceProfileName: `-sdk-${run}`, modelSource: source }, 'ValidationException', /inferenceProfileName/],
    ['a name of 65 characters', { inferenceProfileName: `s${run}`.padEnd(65, 'x'), modelSource: source }, 'ValidationException', /inferenceProfileName/],
    ['a name with "/"', { inferenceProfileName: `sdk/${run}`, modelSource: source }, 'ValidationException', /inferenceProfileName/],
    ['a description with "&"', { inferenceProfileName: `sdk-${run}-amp`, description: 'Claude Haiku 4.5 for R&D', modelSource: source }, 'ValidationException', /description/],
    ['an empty description', { inferenceProfileName: `sdk-${run}-empty-desc`, description: '', modelSource: source }, 'ValidationException', /description/],
    ['a malformed clientRequestToken', { inferenceProfileName: `sdk-${run}-tok`, clientRequestToken: 'not a token!', modelSource: source }, 'ValidationException', /clientRequestToken/],
    ['a copyFrom that is not an ARN', { inferenceProfileName: `sdk-${run}-notarn`, modelSource: { copyFrom: 'not-an-arn' } }, 'ValidationException', /copyFrom/],
    ['a copyFrom naming an unknown system profile', { inferenceProfileName: `sdk-${run}-unknown`, modelSource: { copyFrom: systemProfileArn('eu.anthropic.claude-unknown-v1:0') } }, ['ResourceNotFoundException', 'ValidationException'], /copyFrom|eu\.anthropic\.claude-unknown-v1:0/],
    ['a copyFrom naming an unknown foundation model', { inferenceProfileName: `sdk-${run}-unknown-fm`, modelSource: { copyFrom: fmArn('eu-west-3', 'anthropic.claude-nope-v1:0') } }, ['ResourceNotFoundException', 'ValidationException'], /copyFrom|anthropic\.claude-nope-v1:0/],
    ['a missing modelSource', { inferenceProfileName: `sdk-${run}-nosource` }, 'ValidationException', /modelSource/],
    ['a missing name', { modelSource: source }, 'ValidationException', /inferenceProfileName/],
    ['a tag key with "*"', { inferenceProfileName: `sdk-${run}-badtag`, modelSource: source, tags: [{ key: 'bad*key', value: 'v' }] }, 'ValidationException', /tags|key/],
    ['51 tags', { inferenceProfileName: `sdk-${run}-manytags`, modelSource: source, tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, 'TooManyTagsException', undefined],
  ];
  for (const [what, input, name, message] of refusals) {
    test(`refuses ${what} (${[].concat(name).join(' or ')}) and creates nothing`, async () => {
      const before = await applicationArns();
      await expectServiceError(send(new CreateInferenceProfileCommand(input)), { name, message });
      assert.deepEqual(await applicationArns(), before);
    });
  }
});

describe('ListInferenceProfiles pagination', () => {
  test('paging by 2 with the SDK paginator yields every profile exactly once', { timeout: 30_000 }, async () => {
    const mine = [];
    for (let i = 0; i < 7; i++) {
      const out = await create({
        inferenceProfileName: `sdk-${run}-page-${i}`,
        modelSource: { copyFrom: systemProfileArn(i % 2 ? SONNET_SYSTEM_PROFILE : HAIKU_SYSTEM_PROFILE) },
      });
      mine.push(out.inferenceProfileArn);
    }
    const onePage = await send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION', maxResults: 1000 }));
    assert.equal(onePage.nextToken, undefined, 'a complete page has no nextToken');
    const everything = onePage.inferenceProfileSummaries.map((p) => p.inferenceProfileArn).sort();

    const pages = await collectPages(paginateListInferenceProfiles({ client: bedrock, pageSize: 2 }, { typeEquals: 'APPLICATION' }));
    const seen = [];
    pages.forEach((page, i) => {
      const items = page.inferenceProfileSummaries ?? [];
      assert.ok(items.length <= 2, `page ${i} has ${items.length} items`);
      if (i < pages.length - 1) assert.ok(page.nextToken, `page ${i} must carry a nextToken`);
      for (const p of items) {
        assertProfileShape(p);
        seen.push(p.inferenceProfileArn);
      }
    });
    assert.equal(pages.at(-1).nextToken, undefined, 'the last page must omit nextToken');
    assert.equal(new Set(seen).size, seen.length, `duplicates across pages: ${seen}`);
    assert.deepEqual([...seen].sort(), everything);
    for (const arn of [...mine, SEED.haiku.arn, SEED.sonnet.arn]) assert.ok(seen.includes(arn), `${arn} missing`);
    assert.ok(pages.length >= Math.ceil(everything.length / 2));
  });

  test('an invalid nextToken or maxResults is ValidationException', async () => {
    for (const input of [
      { typeEquals: 'APPLICATION', nextToken: 'not-a-token-we-issued' },
      { typeEquals: 'APPLICATION', maxResults: 0 },
      { typeEquals: 'APPLICATION', maxResults: 1001 },
      { typeEquals: 'EVERYTHING' },
    ]) {
      await expectServiceError(send(new ListInferenceProfilesCommand(input)), { name: 'ValidationException', status: 400 });
    }
  });
});

describe('tagging', () => {
  let arn;
  before(async () => {
    arn = (await create({
      inferenceProfileName: `sdk-${run}-tags`,
      modelSource: { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) },
      tags: tagList({ project: 'conformance' }),
    })).inferenceProfileArn;
  });

  test('TagResource adds and overrides, UntagResource removes, ListTagsForResource shows the result', async () => {
    assertMeta(await send(new TagResourceCommand({ resourceARN: arn, tags: tagList({ a: '1', 'billing-mode': 'rd', empty: '' }) })));
    assert.deepEqual(await tagsOf(arn), { ...DEFAULT_TAGS, project: 'conformance', a: '1', 'billing-mode': 'rd', empty: '' });
    assertMeta(await send(new TagResourceCommand({ resourceARN: arn, tags: tagList({ a: '2' }) })));
    assertMeta(await send(new UntagResourceCommand({ resourceARN: arn, tagKeys: ['project', 'empty'] })));
    assert.deepEqual(await tagsOf(arn), { ...DEFAULT_TAGS, a: '2', 'billing-mode': 'rd' });
  });

  test('UntagResource of an absent key succeeds and changes nothing', async () => {
    const before = await tagsOf(arn);
    assertMeta(await send(new UntagResourceCommand({ resourceARN: arn, tagKeys: ['never-set'] })));
    assert.deepEqual(await tagsOf(arn), before);
  });

  test('more than 50 tags is TooManyTagsException naming the resource, with nothing applied', async () => {
    const before = await tagsOf(arn);
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `bulk-${i}`, value: String(i) }));
    const e = await expectServiceError(send(new TagResourceCommand({ resourceARN: arn, tags })), { name: 'TooManyTagsException', status: 400 });
    if (e.resourceName !== undefined) assert.equal(e.resourceName, arn);
    assert.deepEqual(await tagsOf(arn), before);
    // Within the limit (own + default tags <= 50) is fine.
    const some = Array.from({ length: 40 }, (_, i) => ({ key: `bulk-${i}`, value: String(i) }));
    assertMeta(await send(new TagResourceCommand({ resourceARN: arn, tags: some })));
    assert.equal(Object.keys(await tagsOf(arn)).length, Object.keys(before).length + 40);
    assertMeta(await send(new UntagResourceCommand({ resourceARN: arn, tagKeys: some.map((t) => t.key) })));
    assert.deepEqual(await tagsOf(arn), before);
  });

  test('an invalid tag is ValidationException with nothing applied', async () => {
    const before = await tagsOf(arn);
    for (const tags of [[{ key: 'ok', value: 'v' }, { key: 'bad*key', value: 'v' }], [{ key: '', value: 'v' }], [{ key: 'k'.repeat(129), value: 'v' }]]) {
      await expectServiceError(send(new TagResourceCommand({ resourceARN: arn, tags })), { name: 'ValidationException', status: 400 });
    }
    assert.deepEqual(await tagsOf(arn), before);
  });

  test('an unknown resource is ResourceNotFoundException, a malformed ARN ValidationException', async () => {
    const unknown = `arn:aws:bedrock:${REGION}:123456789012:application-inference-profile/zzzzzzzzzzzz`;
    await expectServiceError(send(new ListTagsForResourceCommand({ resourceARN: unknown })), { name: 'ResourceNotFoundException', status: 404 });
    await expectServiceError(send(new TagResourceCommand({ resourceARN: unknown, tags: tagList({ a: '1' }) })), { name: 'ResourceNotFoundException', status: 404 });
    await expectServiceError(send(new UntagResourceCommand({ resourceARN: unknown, tagKeys: ['a'] })), { name: 'ResourceNotFoundException', status: 404 });
    await expectServiceError(send(new ListTagsForResourceCommand({ resourceARN: 'definitely-not-an-arn-at-all' })), { name: 'ValidationException', status: 400 });
  });
});

describe('DeleteInferenceProfile', () => {
  test('deletes an application profile; afterwards Get, Delete and ListTags are ResourceNotFoundException', async () => {
    const { inferenceProfileArn: arn } = await create({
      inferenceProfileName: `sdk-${run}-delete-me`,
      modelSource: { copyFrom: systemProfileArn(HAIKU_SYSTEM_PROFILE) },
    });
    const out = await send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
    assertMeta(out);
    created.delete(arn);
    await expectServiceError(send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn })), { name: 'ResourceNotFoundException', status: 404 });
    await expectServiceError(send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: arn })), { name: 'ResourceNotFoundException', status: 404 });
    await expectServiceError(send(new ListTagsForResourceCommand({ resourceARN: arn })), { name: 'ResourceNotFoundException', status: 404 });
    assert.ok(!(await applicationArns()).includes(arn));
  });

  test('deletes by bare id too', async () => {
    const { inferenceProfileArn: arn } = await create({
      inferenceProfileName: `sdk-${run}-delete-by-id`,
      modelSource: { copyFrom: fmArn('eu-central-1', HAIKU_MODEL) },
    });
    assertMeta(await send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: APP_PROFILE_ARN_RE.exec(arn)[1] })));
    created.delete(arn);
    await expectServiceError(send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn })), { name: 'ResourceNotFoundException', status: 404 });
  });

  test('deleting a system-defined profile is ValidationException and it stays', async () => {
    for (const ident of [HAIKU_SYSTEM_PROFILE, systemProfileArn(HAIKU_SYSTEM_PROFILE)]) {
      await expectServiceError(send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: ident })), { name: 'ValidationException', status: 400 });
    }
    assertMeta(await send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: HAIKU_SYSTEM_PROFILE })));
  });
});

describe('foundation models', () => {
  const expectedIds = [HAIKU_MODEL, SONNET_MODEL].sort();

  function assertModelShape(m) {
    assert.equal(typeof m.modelId, 'string');
    assert.equal(m.modelArn, fmArn(REGION, m.modelId));
    assert.ok(Array.isArray(m.outputModalities));
    if (m.modelLifecycle) assert.ok(['ACTIVE', 'LEGACY'].includes(m.modelLifecycle.status));
  }

  test('ListFoundationModels lists the catalog with its Anthropic models', async () => {
    const out = await send(new ListFoundationModelsCommand({}));
    assertMeta(out);
    out.modelSummaries.forEach(assertModelShape);
    const ids = out.modelSummaries.map((m) => m.modelId);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    for (const id of expectedIds) {
      const m = out.modelSummaries.find((x) => x.modelId === id);
      assert.ok(m, `${id} missing`);
      assert.equal(m.providerName, 'Anthropic');
      assert.deepEqual(m.outputModalities, ['TEXT']);
      assert.ok(m.inputModalities.includes('TEXT'));
      assert.equal(m.responseStreamingSupported, true);
      assert.equal(m.modelLifecycle?.status, 'ACTIVE');
      assert.deepEqual(m.inferenceTypesSupported, ['INFERENCE_PROFILE']);
    }
  });

  test('byProvider matches case-insensitively; an unknown provider gives an empty list', async () => {
    for (const byProvider of ['anthropic', 'Anthropic', 'ANTHROPIC']) {
      const out = await send(new ListFoundationModelsCommand({ byProvider }));
      assertMeta(out);
      assert.ok(out.modelSummaries.every((m) => m.providerName.toLowerCase() === 'anthropic'), byProvider);
      assert.deepEqual(out.modelSummaries.map((m) => m.modelId).filter((id) => expectedIds.includes(id)).sort(), expectedIds, byProvider);
    }
    const none = await send(new ListFoundationModelsCommand({ byProvider: 'nobody' }));
    assert.deepEqual(none.modelSummaries, []);
  });

  test('byOutputModality filters; an invalid value is ValidationException', async () => {
    const text = await send(new ListFoundationModelsCommand({ byOutputModality: 'TEXT' }));
    assert.ok(text.modelSummaries.every((m) => m.outputModalities.includes('TEXT')));
    assert.ok(expectedIds.every((id) => text.modelSummaries.some((m) => m.modelId === id)));
    const image = await send(new ListFoundationModelsCommand({ byOutputModality: 'IMAGE' }));
    assert.ok(image.modelSummaries.every((m) => m.outputModalities.includes('IMAGE')));
    assert.ok(!image.modelSummaries.some((m) => expectedIds.includes(m.modelId)));
    await expectServiceError(send(new ListFoundationModelsCommand({ byOutputModality: 'SMELL' })), { name: 'ValidationException', status: 400 });
  });

  test('GetFoundationModel by id and by ARN; unknown is ResourceNotFoundException', async () => {
    const byId = await send(new GetFoundationModelCommand({ modelIdentifier: HAIKU_MODEL }));
    assertMeta(byId);
    assertModelShape(byId.modelDetails);
    assert.equal(byId.modelDetails.modelId, HAIKU_MODEL);
    assert.equal(byId.modelDetails.providerName, 'Anthropic');
    const byArn = await send(new GetFoundationModelCommand({ modelIdentifier: fmArn(REGION, HAIKU_MODEL) }));
    assert.deepEqual(byArn.modelDetails, byId.modelDetails);
    await expectServiceError(send(new GetFoundationModelCommand({ modelIdentifier: 'anthropic.claude-nope-v1:0' })), { name: 'ResourceNotFoundException', status: 404 });
  });
});

describe('raw HTTP: bad input gets the Bedrock error shape and the server keeps serving', () => {
  let before;
  const copyFrom = systemProfileArn(HAIKU_SYSTEM_PROFILE);
  const post = (path, body) => rawHttp(server.endpoint, { method: 'POST', path, body });

  test('record the state', async () => {
    before = await applicationArns();
  });

  test('malformed JSON body', async () => {
    for (const body of ['{"inferenceProfileName":', 'not json', '{"a":1}}', '\u0000']) {
      const res = await post('/inference-profiles', body);
      assertRawError(res, { status: 400, codes: ['ValidationException', 'SerializationException'] });
    }
  });

  test('wrong JSON types', async () => {
    const cases = [
      ['/inference-profiles', { inferenceProfileName: 42, modelSource: { copyFrom } }, /inferenceProfileName/],
      ['/inference-profiles', { inferenceProfileName: `raw-${run}`, modelSource: 'x' }, /modelSource/],
      ['/inference-profiles', { inferenceProfileName: `raw-${run}`, modelSource: { copyFrom: ['a'] } }, /copyFrom/],
      ['/inference-profiles', { inferenceProfileName: `raw-${run}`, modelSource: { copyFrom }, tags: { k: 'v' } }, /tags/],
      ['/inference-profiles', [], undefined],
      ['/inference-profiles', 'a string', undefined],
      ['/tagResource', { resourceARN: SEED.haiku.arn, tags: { k: 'v' } }, /tags/],
      ['/tagResource', { resourceARN: SEED.haiku.arn, tags: [{ key: 1, value: 'v' }] }, /key|tags/],
      ['/untagResource', { resourceARN: SEED.haiku.arn, tagKeys: 'billing-mode' }, /tagKeys/],
      ['/listTagsForResource', {}, /resourceARN/],
      ['/listTagsForResource', { resourceARN: 7 }, /resourceARN/],
    ];
    for (const [path, body, message] of cases) {
      const res = await post(path, JSON.stringify(body));
      assertRawError(res, { status: 400, codes: ['ValidationException', 'SerializationException'], message });
    }
    assert.deepEqual(await tagsOf(SEED.haiku.arn), SEED_TAGS, 'refused tag calls change nothing');
  });

  test('bad query parameters', async () => {
    for (const [path, message] of [
      ['/inference-profiles?type=APPLICATION&maxResults=abc', /maxResults/],
      ['/inference-profiles?type=APPLICATION&maxResults=2.5', /maxResults/],
      ['/foundation-models?byOutputModality=SMELL', /byOutputModality/],
    ]) {
      const res = await rawHttp(server.endpoint, { method: 'GET', path });
      assertRawError(res, { status: 400, codes: 'ValidationException', message });
    }
  });

  test('an unknown route is 404 UnknownOperationException', async () => {
    for (const [method, path] of [
      ['GET', '/no-such-operation'],
      ['POST', '/inference-profiles/acwt9yee9wzo/extra'],
      ['GET', '/'],
    ]) {
      const res = await rawHttp(server.endpoint, { method, path });
      assertRawError(res, { status: 404, codes: 'UnknownOperationException' });
    }
  });

  test('a 40 MiB body is refused with 413', { timeout: 30_000 }, async () => {
    const body = Buffer.alloc(40 * 1024 * 1024, 0x61);
    body.write('{"description":"', 0);
    body.write('"}', body.length - 2);
    const res = await post('/inference-profiles', body);
    assertRawError(res, { status: 413 });
  });

  test('the server still serves, and nothing was created', async () => {
    const res = await rawHttp(server.endpoint, { method: 'GET', path: '/foundation-models' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json\b/);
    assert.ok(res.headers['x-amzn-requestid']);
    assert.ok(Array.isArray(res.json?.modelSummaries));
    assert.deepEqual(await applicationArns(), before);
  });
});

describe('request ids', () => {
  test('every answer carries x-amzn-RequestId as $metadata.requestId, unique per call', async () => {
    const ids = [];
    for (const cmd of [
      new ListInferenceProfilesCommand({}),
      new GetInferenceProfileCommand({ inferenceProfileIdentifier: SEED.sonnet.id }),
      new ListFoundationModelsCommand({}),
      new ListTagsForResourceCommand({ resourceARN: SEED.sonnet.arn }),
    ]) {
      const out = await send(cmd);
      assertMeta(out);
      ids.push(out.$metadata.requestId);
    }
    const e = await expectServiceError(send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: 'zzzzzzzzzzzz' })), { name: 'ResourceNotFoundException' });
    ids.push(e.$metadata.requestId);
    assert.equal(new Set(ids).size, ids.length, `request ids repeat: ${ids}`);
  });
});
