// Authorization (spec/auth.md §3-§4) of the control plane through @aws-sdk/client-bedrock:
// IAM identity policies from the config decide every operation, with AWS's denial wording.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  CreateInferenceProfileCommand,
  GetInferenceProfileCommand,
  ListInferenceProfilesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-bedrock';

import { EXTERNAL, HAIKU_MODEL, RD_E2E, REGION, appProfileArn, assertMeta, expectServiceError, startServer } from './harness.mjs';

const HAIKU_ARN = appProfileArn('acwt9yee9wzo');
const SONNET_ARN = appProfileArn('tkxdfdh17c6o');

describe('the shipped rd-e2e consumer on the control plane', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('is denied with AWS wording naming principal, action and resource', async () => {
    const client = server.controlClient({ credentials: { ...RD_E2E } });
    await expectServiceError(client.send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' })), {
      name: 'AccessDeniedException',
      message:
        /^User: arn:aws:iam::123456789012:role\/rd-e2e is not authorized to perform: bedrock:ListInferenceProfiles on resource: \* because no identity-based policy allows the bedrock:ListInferenceProfiles action$/,
    });
  });

  test('cannot create a profile, and nothing is created', async () => {
    const client = server.controlClient({ credentials: { ...RD_E2E } });
    await expectServiceError(
      client.send(
        new CreateInferenceProfileCommand({
          inferenceProfileName: 'rd-e2e-attempt',
          modelSource: { copyFrom: `arn:aws:bedrock:${REGION}::foundation-model/${HAIKU_MODEL}` },
        }),
      ),
      { name: 'AccessDeniedException', message: /bedrock:CreateInferenceProfile/ },
    );
    const admin = server.controlClient();
    const out = await admin.send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' }));
    assert.ok(!out.inferenceProfileSummaries.some((p) => p.inferenceProfileName === 'rd-e2e-attempt'));
  });

  test('a denied Get of a missing profile reveals nothing (403, not 404)', async () => {
    const client = server.controlClient({ credentials: { ...RD_E2E } });
    await expectServiceError(client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: 'zzzzzzzzzzzz' })), {
      name: 'AccessDeniedException',
    });
  });
});

describe('an explicit Deny on one profile beside Allow *', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  const creds = { accessKeyId: 'AKIABPTESTDENYONE001', secretAccessKey: 'bpTestDenyOneSecret000000000000000000000' };
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bp-authz-'));
    const file = path.join(dir, 'deny.hcl');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Everything', Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
        { Sid: 'NotSonnet', Effect: 'Deny', Action: 'bedrock:*', Resource: SONNET_ARN },
      ],
    };
    writeFileSync(
      file,
      `account_id = "123456789012"
region     = "eu-central-1"
default_tags = { Environment = "rd" }
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    id        = "acwt9yee9wzo"
  }
  rd-sonnet-4 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0"
    id        = "tkxdfdh17c6o"
  }
}
principals = {
  deny-one = {
    arn               = "arn:aws:iam::123456789012:role/deny-one"
    access_key_id     = "${creds.accessKeyId}"
    secret_access_key = "${creds.secretAccessKey}"
    policy            = ${JSON.stringify(JSON.stringify(policy))}
  }
}
`,
    );
    server = await startServer({ config: file });
  });
  after(async () => {
    await server?.stop();
  });

  test('is denied on that profile with the explicit-deny wording', async () => {
    const client = server.controlClient({ credentials: { ...creds } });
    await expectServiceError(client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: SONNET_ARN })), {
      name: 'AccessDeniedException',
      message: /with an explicit deny in an identity-based policy/,
    });
    await expectServiceError(client.send(new ListTagsForResourceCommand({ resourceARN: SONNET_ARN })), {
      name: 'AccessDeniedException',
    });
  });

  test('is allowed on the other profile', async () => {
    const client = server.controlClient({ credentials: { ...creds } });
    const out = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: HAIKU_ARN }));
    assertMeta(out);
    assert.equal(out.inferenceProfileArn, HAIKU_ARN);
  });
});
