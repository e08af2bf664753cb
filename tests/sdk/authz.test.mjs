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
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

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

  const converse = (modelId) =>
    new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] });

  test('passes the runtime gate with the seed policy (the profile and its model in every region)', async () => {
    const client = server.runtimeClient({ credentials: { ...RD_E2E } });
    const out = await client.send(converse(HAIKU_ARN));
    assertMeta(out);
    assert.equal(out.output.message.role, 'assistant');
  });

  test('a raw model id or a system-defined profile is refused naming the usable profiles (ADR-0007)', async () => {
    const client = server.runtimeClient({ credentials: { ...RD_E2E } });
    for (const id of [HAIKU_MODEL, `eu.${HAIKU_MODEL}`, `arn:aws:bedrock:eu-west-1::foundation-model/${HAIKU_MODEL}`]) {
      await expectServiceError(client.send(converse(id)), {
        name: 'ValidationException',
        message: new RegExp(`ADR-0007.*rd-haiku-45 \\(${HAIKU_ARN.replace(/[/]/g, '\\/')}\\)`),
      });
    }
  });

  test('an unknown profile is ResourceNotFoundException', async () => {
    const client = server.runtimeClient();
    await expectServiceError(client.send(converse(appProfileArn('zzzzzzzzzzzz'))), { name: 'ResourceNotFoundException' });
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
  const profileOnly = { accessKeyId: 'AKIABPTESTPROFONLY01', secretAccessKey: 'bpTestProfileOnlySecret00000000000000000' };
  // The seed policy without its foundation-model statement.
  const profileOnlyPolicy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], Resource: HAIKU_ARN }],
  };
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
  profile-only = {
    arn               = "arn:aws:iam::123456789012:role/profile-only"
    access_key_id     = "${profileOnly.accessKeyId}"
    secret_access_key = "${profileOnly.secretAccessKey}"
    policy            = ${JSON.stringify(JSON.stringify(profileOnlyPolicy))}
  }
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

  test('a consumer without the foundation-model statement is denied, naming the model', async () => {
    const client = server.runtimeClient({ credentials: { ...profileOnly } });
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: HAIKU_ARN, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
      { name: 'AccessDeniedException', message: /on resource: arn:aws:bedrock:eu-[a-z]+-\d::foundation-model\/anthropic\.claude-haiku/ },
    );
  });

  test('the explicit Deny also stops runtime calls on that profile', async () => {
    const client = server.runtimeClient({ credentials: { ...creds } });
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: SONNET_ARN, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
      { name: 'AccessDeniedException', message: /explicit deny/ },
    );
  });

  test('is allowed on the other profile', async () => {
    const client = server.controlClient({ credentials: { ...creds } });
    const out = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: HAIKU_ARN }));
    assertMeta(out);
    assert.equal(out.inferenceProfileArn, HAIKU_ARN);
  });
});
