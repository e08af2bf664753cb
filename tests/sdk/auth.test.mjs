// Authentication (spec/auth.md §1, §2, §5) through the official clients and raw requests:
// every request to `serve` must carry a valid SigV4 signature or a Bedrock API key.

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ListFoundationModelsCommand, ListInferenceProfilesCommand } from '@aws-sdk/client-bedrock';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { getToken } from '@aws/bedrock-token-generator';
import { SignatureV4 } from '@smithy/signature-v4';

import {
  ADMIN,
  EXTERNAL,
  REGION,
  assertMeta,
  assertRawError,
  expectServiceError,
  rawHttp,
  startServer,
} from './harness.mjs';

// The hash constructor @smithy/signature-v4 expects, over node:crypto.
class Sha256 {
  constructor(secret) {
    this.h = secret ? createHmac('sha256', Buffer.from(secret)) : createHash('sha256');
  }
  update(data) {
    this.h.update(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const API_KEY = 'bp-test-long-term-api-key-0123456789abcdef';
const API_KEY_USER = Object.freeze({
  accessKeyId: 'AKIABPTESTAPIKEY0001',
  secretAccessKey: 'bpTestApiKeyUserSecret000000000000000000',
});
// AWS's wire text for a credential scope of another region or service (docs/auth.md): the
// sentence ends with a space, as each of AWS's scope sentences does.
const WRONG_REGION = (region) => `Credential should be scoped to a valid region, not '${region}'. `;
const WRONG_SERVICE = "Credential should be scoped to correct service: 'bedrock'. ";
const HAIKU_ID = 'acwt9yee9wzo';
const SESSION = Object.freeze({
  accessKeyId: 'ASIABPTESTSESSION001',
  secretAccessKey: 'bpTestSessionSecretKey000000000000000000',
  sessionToken: 'bp-test-session-token',
});
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:*","Resource":"*"}]}';

// A config with the admin keys plus a principal holding a long-term API key and one with
// session credentials.
function writeConfig() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bp-auth-'));
  const file = path.join(dir, 'auth.hcl');
  const sha = createHash('sha256').update(API_KEY).digest('hex');
  writeFileSync(
    file,
    `account_id = "123456789012"
region     = "eu-central-1"
default_tags = { Environment = "rd" }
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    id        = "${HAIKU_ID}"
  }
}
principals = {
  admin = {
    arn               = "arn:aws:iam::123456789012:role/admin"
    access_key_id     = "${ADMIN.accessKeyId}"
    secret_access_key = "${ADMIN.secretAccessKey}"
    policy            = ${JSON.stringify(ALLOW_ALL)}
  }
  api-key-user = {
    arn               = "arn:aws:iam::123456789012:user/api-key-user"
    access_key_id     = "${API_KEY_USER.accessKeyId}"
    secret_access_key = "${API_KEY_USER.secretAccessKey}"
    api_key_sha256    = "${sha}"
    policy            = ${JSON.stringify(ALLOW_ALL)}
  }
  session-user = {
    arn               = "arn:aws:iam::123456789012:role/session-user"
    access_key_id     = "${SESSION.accessKeyId}"
    secret_access_key = "${SESSION.secretAccessKey}"
    session_token     = "${SESSION.sessionToken}"
    policy            = ${JSON.stringify(ALLOW_ALL)}
  }
}
`,
  );
  return file;
}

describe('authentication', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  before(async () => {
    server = await startServer({ config: writeConfig() });
  });
  after(async () => {
    await server?.stop();
  });

  test('valid SigV4 from the SDK is accepted', async () => {
    assertMeta(await server.controlClient().send(new ListFoundationModelsCommand({})));
  });

  test('a wrong secret is InvalidSignatureException with the expected canonical request', async () => {
    const client = server.controlClient({
      credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret00' },
    });
    const e = await expectServiceError(client.send(new ListInferenceProfilesCommand({})), {
      name: 'InvalidSignatureException',
    });
    assert.match(e.message, /The Canonical String for this request should have been/);
    assert.doesNotMatch(e.message, /bpLocal|wrong-secret/);
  });

  test('an unknown access key is UnrecognizedClientException', async () => {
    const client = server.controlClient({
      credentials: { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: ADMIN.secretAccessKey },
    });
    await expectServiceError(client.send(new ListInferenceProfilesCommand({})), {
      name: 'UnrecognizedClientException',
      message: /security token included in the request is invalid/,
    });
  });

  test('no credentials at all is MissingAuthenticationTokenException', async () => {
    const res = await rawHttp(server.endpoint, { path: '/inference-profiles', sign: false });
    assertRawError(res, { status: 403, codes: 'MissingAuthenticationTokenException' });
  });

  test('a malformed Authorization header is IncompleteSignatureException', async () => {
    const res = await rawHttp(server.endpoint, {
      path: '/inference-profiles',
      sign: false,
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIABPLOCALADMIN0001/20261125', 'x-amz-date': '20261125T000000Z' },
    });
    assertRawError(res, { status: 400, codes: 'IncompleteSignatureException' });
  });

  test('a signature older than five minutes is refused as expired', async () => {
    const client = server.controlClient({ systemClockOffset: -10 * 60 * 1000 });
    await expectServiceError(client.send(new ListInferenceProfilesCommand({})), {
      name: 'InvalidSignatureException',
      message: /Signature expired/,
    });
  });

  test('a presigned URL is accepted, and refused once tampered with', async () => {
    const url = new URL(server.endpoint);
    const signer = new SignatureV4({ service: 'bedrock', region: REGION, credentials: { ...ADMIN }, sha256: Sha256 });
    const presigned = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/foundation-models', query: {}, headers: { host: url.host } },
      { expiresIn: 300 },
    );
    const query = new URLSearchParams(presigned.query).toString();
    const ok = await rawHttp(server.endpoint, { path: `/foundation-models?${query}`, sign: false });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(Array.isArray(ok.json.modelSummaries));
    const tampered = await rawHttp(server.endpoint, { path: `/inference-profiles?${query}`, sign: false });
    assertRawError(tampered, { status: 403, codes: 'InvalidSignatureException' });
  });

  test('a long-term Bedrock API key (Bearer) is accepted; an unknown one is not', async () => {
    const ok = await rawHttp(server.endpoint, {
      path: '/foundation-models',
      sign: false,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(ok.status, 200, ok.text);
    const bad = await rawHttp(server.endpoint, {
      path: '/foundation-models',
      sign: false,
      headers: { authorization: 'Bearer not-a-configured-key' },
    });
    assertRawError(bad, { status: 403, codes: 'UnrecognizedClientException' });
  });

  test('AWS_BEARER_TOKEN_BEDROCK through the official client', async () => {
    const saved = process.env.AWS_BEARER_TOKEN_BEDROCK;
    process.env.AWS_BEARER_TOKEN_BEDROCK = API_KEY;
    try {
      const client = server.controlClient({ credentials: undefined });
      assertMeta(await client.send(new ListFoundationModelsCommand({})));
    } finally {
      if (saved === undefined) delete process.env.AWS_BEARER_TOKEN_BEDROCK;
      else process.env.AWS_BEARER_TOKEN_BEDROCK = saved;
    }
  });

  test('session credentials need their session token', async () => {
    assertMeta(await server.controlClient({ credentials: { ...SESSION } }).send(new ListFoundationModelsCommand({})));
    const { sessionToken, ...withoutToken } = SESSION;
    assert.ok(sessionToken);
    await expectServiceError(
      server.controlClient({ credentials: withoutToken }).send(new ListFoundationModelsCommand({})),
      { name: 'UnrecognizedClientException' },
    );
    await expectServiceError(
      server.controlClient({ credentials: { ...SESSION, sessionToken: 'another-token' } }).send(new ListFoundationModelsCommand({})),
      { name: 'UnrecognizedClientException' },
    );
  });

  // The endpoint's region is the config's eu-central-1: AWS refuses a signature scoped to any
  // other region, so an E2E test that passes here also passes against AWS.
  test('the official clients configured for us-east-1 get AWS\'s refusal, over HTTP/1.1 and HTTP/2', async () => {
    const control = await expectServiceError(
      server.controlClient({ region: 'us-east-1' }).send(new ListFoundationModelsCommand({})),
      { name: 'InvalidSignatureException' },
    );
    assert.equal(control.message, WRONG_REGION('us-east-1'));
    const runtime = await expectServiceError(
      server.runtimeClient({ region: 'us-east-1' }).send(
        new ConverseCommand({ modelId: HAIKU_ID, messages: [{ role: 'user', content: [{ text: 'Say: no' }] }] }),
      ),
      { name: 'InvalidSignatureException' },
    );
    assert.equal(runtime.message, WRONG_REGION('us-east-1'));
  });

  test('the official runtime client configured for the endpoint\'s region is served over HTTP/2', async () => {
    const out = await server
      .runtimeClient()
      .send(new ConverseCommand({ modelId: HAIKU_ID, messages: [{ role: 'user', content: [{ text: 'Say: yes' }] }] }));
    assertMeta(out);
    assert.equal(out.output.message.content[0].text, 'yes');
  });

  test('a signature scoped to another service is AWS\'s refusal', async () => {
    const url = new URL(server.endpoint);
    const signer = new SignatureV4({ service: 'bedrock-runtime', region: REGION, credentials: { ...ADMIN }, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/foundation-models', query: {}, headers: { host: url.host },
    });
    const res = await rawHttp(server.endpoint, { path: '/foundation-models', sign: false, headers: signed.headers });
    assertRawError(res, { status: 403, codes: 'InvalidSignatureException' });
    assert.equal(res.json.message, WRONG_SERVICE);
  });

  test('a short-term API key from AWS\'s own generator is accepted for the endpoint\'s region only', async () => {
    const saved = process.env.AWS_BEARER_TOKEN_BEDROCK;
    try {
      process.env.AWS_BEARER_TOKEN_BEDROCK = await getToken({ credentials: { ...API_KEY_USER }, region: REGION });
      assertMeta(await server.controlClient({ credentials: undefined }).send(new ListFoundationModelsCommand({})));
      process.env.AWS_BEARER_TOKEN_BEDROCK = await getToken({ credentials: { ...API_KEY_USER }, region: 'us-east-1' });
      const e = await expectServiceError(
        server.controlClient({ credentials: undefined }).send(new ListFoundationModelsCommand({})),
        { name: 'InvalidSignatureException' },
      );
      assert.equal(e.message, WRONG_REGION('us-east-1'));
    } finally {
      if (saved === undefined) delete process.env.AWS_BEARER_TOKEN_BEDROCK;
      else process.env.AWS_BEARER_TOKEN_BEDROCK = saved;
    }
  });

  test('health needs no credentials and reveals nothing', async () => {
    const res = await rawHttp(server.endpoint, { path: '/healthz', sign: false });
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /arn:|AKIA/);
  });
});
