// Runtime transport: @aws-sdk/client-bedrock-runtime talks HTTP/2 cleartext with prior knowledge
// by default (spec/bedrock-api.md §1.1), one new connection per call. These tests prove the port
// serves h2c: every call must come back as a service answer (success, or a modelled/unmodelled
// service error with an HTTP status), never a transport failure ("Protocol error", ECONNRESET).
// Service errors are accepted as answers too: what matters here is the transport.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { SEED, rawHttp2, startServer } from './harness.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, 'SIGTERM must drain and exit 0');
  }
});

const TRANSPORT_FAILURE =
  /Protocol error|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|ERR_HTTP2|GOAWAY|RST_STREAM|NGHTTP2|stream was destroyed|Premature close|Truncated event message|TimeoutError/i;

const converseInput = (text) => ({
  modelId: SEED.haiku.arn,
  messages: [{ role: 'user', content: [{ text }] }],
  inferenceConfig: { maxTokens: 32 },
});

/**
 * Asserts `err` is a service error: named like an exception, with the status and request id
 * the SDK takes from an HTTP answer. Returns a one-line description.
 */
function assertServiceError(err) {
  const desc = `${err?.name}: ${err?.message} (code ${err?.code}, status ${err?.$metadata?.httpStatusCode})`;
  assert.doesNotMatch(`${err?.name} ${err?.message} ${err?.code}`, TRANSPORT_FAILURE, `transport failure, not a service answer: ${desc}`);
  assert.ok(Number.isInteger(err?.$metadata?.httpStatusCode), `no HTTP status: the request never got an answer: ${desc}`);
  assert.ok(err.$metadata.httpStatusCode >= 400 && err.$metadata.httpStatusCode <= 599, desc);
  assert.equal(typeof err.name, 'string');
  assert.match(err.name, /^[A-Z][A-Za-z0-9]*(Exception|Error|Fault)$/, `error name must name an exception: ${desc}`);
  assert.ok(['client', 'server'].includes(err.$fault), `$fault: ${desc}`);
  assert.ok(err.$metadata.requestId, `x-amzn-RequestId missing: ${desc}`);
  assert.ok(err.message && err.message !== 'UnknownError', `a body "message" is required: ${desc}`);
  return `${err.name} (${err.$metadata.httpStatusCode})`;
}

/** Sends Converse; accepts a well-formed success or a service error. Returns a description. */
async function converseAnswer(client, text) {
  let out;
  try {
    out = await client.send(new ConverseCommand(converseInput(text)));
  } catch (err) {
    return assertServiceError(err);
  }
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.ok(out.$metadata.requestId);
  assert.equal(out.output?.message?.role, 'assistant');
  assert.ok(Array.isArray(out.output.message.content));
  assert.equal(typeof out.stopReason, 'string');
  for (const k of ['inputTokens', 'outputTokens', 'totalTokens']) {
    assert.ok(Number.isInteger(out.usage?.[k]), `usage.${k}`);
  }
  return 'success (200)';
}

describe('BedrockRuntimeClient over its default HTTP/2 transport', () => {
  test('the client really uses its HTTP/2 handler', () => {
    const client = server.runtimeClient();
    // Guards the point of this file: were the SDK default to change, we would be testing HTTP/1.1.
    assert.equal(client.config.requestHandler?.constructor?.name, 'NodeHttp2Handler');
  });

  test('Converse with the rd-haiku-45 profile ARN gets a service answer over h2c', async (t) => {
    const what = await converseAnswer(server.runtimeClient(), 'Say hello.');
    t.diagnostic(`Converse answered ${what}`);
  });

  test('ConverseStream gets a service answer or a well-formed event stream over h2c', async (t) => {
    const client = server.runtimeClient();
    let out;
    try {
      out = await client.send(new ConverseStreamCommand(converseInput('Count to three.')));
    } catch (err) {
      t.diagnostic(`ConverseStream answered ${assertServiceError(err)}`);
      return;
    }
    assert.equal(out.$metadata.httpStatusCode, 200);
    const kinds = [];
    try {
      for await (const event of out.stream) kinds.push(Object.keys(event).find((k) => event[k] !== undefined));
    } catch (err) {
      // A modelled in-stream exception is a service answer too; a cut connection is not.
      assert.doesNotMatch(`${err.name} ${err.message}`, TRANSPORT_FAILURE, `stream broke: ${err.name}: ${err.message}`);
      assert.match(err.name, /Exception$/);
      t.diagnostic(`ConverseStream ended with in-stream ${err.name}`);
      return;
    }
    assert.equal(kinds[0], 'messageStart', `events: ${kinds}`);
    assert.equal(kinds.at(-1), 'metadata', `events: ${kinds}`);
    assert.ok(kinds.includes('messageStop'), `events: ${kinds}`);
    t.diagnostic(`ConverseStream streamed ${kinds.length} events`);
  });

  test('sequential and concurrent calls each get an answer (one h2 session per call)', async () => {
    const client = server.runtimeClient();
    for (let i = 0; i < 3; i++) await converseAnswer(client, `sequential ${i}`);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => converseAnswer(client, `concurrent ${i}`)));
    assert.equal(answers.length, 6);
  });
});

describe('raw node:http2', () => {
  const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

  test('GET /foundation-models over h2c: 200 JSON, no connection-specific headers', async () => {
    const res = await rawHttp2(server.endpoint, { method: 'GET', path: '/foundation-models' });
    assert.equal(res.status, 200, res.text);
    for (const h of CONNECTION_SPECIFIC) {
      assert.equal(res.headers[h], undefined, `HTTP/2 response must not carry "${h}" (RFC 9113 §8.2.2)`);
    }
    for (const name of Object.keys(res.headers)) {
      assert.equal(name, name.toLowerCase(), `header names are lowercase in HTTP/2: ${name}`);
    }
    assert.match(String(res.headers['content-type']), /^application\/json\b/);
    assert.ok(res.headers['x-amzn-requestid'], 'x-amzn-RequestId missing');
    assert.ok(Array.isArray(res.json?.modelSummaries) && res.json.modelSummaries.length > 0, res.text);
  });

  test('an error over h2c has the Bedrock error shape too', async () => {
    const res = await rawHttp2(server.endpoint, { method: 'GET', path: '/inference-profiles/zzzzzzzzzzzz' });
    assert.equal(res.status, 404, res.text);
    assert.match(String(res.headers['content-type']), /^application\/json\b/);
    assert.match(String(res.headers['x-amzn-errortype']), /^ResourceNotFoundException\b/);
    assert.ok(res.headers['x-amzn-requestid']);
    assert.equal(typeof res.json?.message, 'string');
    for (const h of CONNECTION_SPECIFIC) assert.equal(res.headers[h], undefined, h);
  });
});
