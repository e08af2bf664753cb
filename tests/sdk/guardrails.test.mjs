// Issue 14, item 5 through the official client: guardrails from the config's `guardrails`
// section on Converse (guardrailConfig, trace), ConverseStream (sync and async modes),
// InvokeModel (the X-Amzn-Bedrock-Guardrail* headers), ApplyGuardrail, unknown guardrails and
// the bedrock:ApplyGuardrail permission.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ApplyGuardrailCommand,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
} from '@aws-sdk/client-bedrock-runtime';

import { ACCOUNT, EU_REGIONS, EXTERNAL, RD_E2E, REGION, SEED, assertMeta, expectServiceError, shippedConfigWith, startServer } from './harness.mjs';

const HAIKU = SEED.haiku.arn;
const GR = 'gr4x8k2m9q1z';
const GR_ARN = `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/${GR}`;
const IN_MSG = 'That topic is off limits here.';
const OUT_MSG = 'The answer was withheld.';
const decoder = new TextDecoder();

function config(dir) {
  const regions = EU_REGIONS.map((r) => `  ${r} = { simulated = { time_to_first_token_ms = 10, tokens_per_second = 0 } }`).join('\n');
  const guardrails = `guardrails = {
  no-secrets = {
    id                      = "${GR}"
    version                 = "1"
    blocked_input_words     = ["project zeus"]
    blocked_input_patterns  = ["[0-9]{3}-[0-9]{2}-[0-9]{4}"]
    blocked_output_words    = ["hunter2"]
    blocked_input_message   = "${IN_MSG}"
    blocked_output_message  = "${OUT_MSG}"
  }
}`;
  return shippedConfigWith(dir, { regions, routing: guardrails });
}

const user = (text) => [{ role: 'user', content: [{ text }] }];
const guard = (extra = {}) => ({ guardrailIdentifier: GR, guardrailVersion: '1', ...extra });
const textOf = (out) => out.output.message.content.map((b) => b.text ?? '').join('');

async function collectStream(out) {
  const events = [];
  for await (const event of out.stream) events.push(event);
  const text = events.filter((e) => e.contentBlockDelta?.delta?.text !== undefined).map((e) => e.contentBlockDelta.delta.text).join('');
  const stop = events.find((e) => e.messageStop)?.messageStop.stopReason;
  const metadata = events.at(-1).metadata;
  return { events, text, stop, metadata };
}

describe('guardrails', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  let client;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-guardrails-'));
    server = await startServer({ config: config(dir) });
    client = server.runtimeClient();
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Converse: blocked input is answered with the input message, the model is not called', async () => {
    const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Tell me about Project Zeus'), guardrailConfig: guard() }));
    assertMeta(out);
    assert.equal(out.stopReason, 'guardrail_intervened');
    assert.equal(textOf(out), IN_MSG);
    assert.ok(out.usage.inputTokens > 0, 'input tokens are counted');
    assert.equal(out.usage.outputTokens, 0);
    assert.equal(out.trace, undefined, 'no trace unless asked');
  });

  test('Converse: blocked output is replaced, and the trace shows both assessments', async () => {
    const out = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Say: the password is hunter2'), guardrailConfig: guard({ trace: 'enabled' }) }),
    );
    assert.equal(out.stopReason, 'guardrail_intervened');
    assert.equal(textOf(out), OUT_MSG);
    assert.ok(out.usage.outputTokens > 0);
    const trace = out.trace.guardrail;
    assert.ok(trace.inputAssessment[GR], 'input assessment keyed by guardrail id');
    assert.equal(trace.inputAssessment[GR].wordPolicy, undefined);
    const [assessment] = trace.outputAssessments[GR];
    assert.deepEqual(assessment.wordPolicy.customWords, [{ match: 'hunter2', action: 'BLOCKED', detected: true }]);
    assert.equal(assessment.appliedGuardrailDetails.guardrailArn, GR_ARN);
    assert.equal(assessment.appliedGuardrailDetails.guardrailVersion, '1');
    assert.ok(assessment.invocationMetrics.usage.wordPolicyUnits >= 1);
    assert.match(trace.modelOutput[0], /hunter2/);
  });

  test('Converse: a pattern in the input intervenes and the trace names it', async () => {
    const out = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('my ssn is 123-45-6789'), guardrailConfig: guard({ guardrailIdentifier: GR_ARN, guardrailVersion: 'DRAFT', trace: 'enabled' }) }),
    );
    assert.equal(out.stopReason, 'guardrail_intervened');
    const regexes = out.trace.guardrail.inputAssessment[GR].sensitiveInformationPolicy.regexes;
    assert.deepEqual(regexes, [{ match: '123-45-6789', regex: '[0-9]{3}-[0-9]{2}-[0-9]{4}', action: 'BLOCKED', detected: true }]);
  });

  test('Converse: clean text passes through unchanged; guardContent limits what is checked', async () => {
    const plain = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Say: all fine'), guardrailConfig: guard() }));
    assert.equal(plain.stopReason, 'end_turn');
    assert.equal(textOf(plain), 'all fine');
    const guarded = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: 'Project Zeus background (not guarded)' }, { guardContent: { text: { text: 'Say: ok' } } }] }],
        guardrailConfig: guard(),
      }),
    );
    assert.notEqual(guarded.stopReason, 'guardrail_intervened', 'only guardContent is evaluated');
  });

  test('ConverseStream sync mode: a blocked answer never reaches the caller', async () => {
    const out = await client.send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: user('Say: the password is hunter2'), guardrailConfig: guard({ streamProcessingMode: 'sync', trace: 'enabled' }) }),
    );
    const { text, stop, metadata } = await collectStream(out);
    assert.equal(text, OUT_MSG);
    assert.equal(stop, 'guardrail_intervened');
    assert.ok(metadata.trace.guardrail.outputAssessments[GR][0].wordPolicy);
  });

  test('ConverseStream async mode: text is sent as produced, then the block message and the stop reason', async () => {
    const out = await client.send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: user('Say: the password is hunter2'), guardrailConfig: guard({ streamProcessingMode: 'async' }) }),
    );
    const { text, stop } = await collectStream(out);
    assert.match(text, /hunter2/, 'async mode streams the answer before the check');
    assert.ok(text.endsWith(OUT_MSG), text);
    assert.equal(stop, 'guardrail_intervened');
  });

  test('ConverseStream: blocked input and clean output', async () => {
    const blocked = await collectStream(await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: user('project zeus?'), guardrailConfig: guard() })));
    assert.equal(blocked.text, IN_MSG);
    assert.equal(blocked.stop, 'guardrail_intervened');
    const clean = await collectStream(await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: user('Say: hello there'), guardrailConfig: guard() })));
    assert.equal(clean.text, 'hello there');
    assert.equal(clean.stop, 'end_turn');
  });

  test('InvokeModel: the guardrail headers, amazon-bedrock-guardrailAction and the trace', async () => {
    const body = (text) => JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: text }] });
    const blocked = await client.send(
      new InvokeModelCommand({ modelId: HAIKU, body: body('Say: hunter2'), guardrailIdentifier: GR, guardrailVersion: '1', trace: 'ENABLED' }),
    );
    const b = JSON.parse(decoder.decode(blocked.body));
    assert.equal(b['amazon-bedrock-guardrailAction'], 'INTERVENED');
    assert.equal(b.content[0].text, OUT_MSG);
    assert.ok(b['amazon-bedrock-trace'].guardrail.outputAssessments[GR]);
    const clean = JSON.parse(decoder.decode((await client.send(new InvokeModelCommand({ modelId: HAIKU, body: body('Say: fine'), guardrailIdentifier: GR, guardrailVersion: 'DRAFT' }))).body));
    assert.equal(clean['amazon-bedrock-guardrailAction'], 'NONE');
    assert.equal(clean['amazon-bedrock-trace'], undefined);
    await expectServiceError(client.send(new InvokeModelCommand({ modelId: HAIKU, body: body('hi'), guardrailIdentifier: GR })), {
      name: 'ValidationException',
      message: /must both be provided/,
    });
  });

  test('ApplyGuardrail: intervened and none, for input and output', async () => {
    const hit = await client.send(
      new ApplyGuardrailCommand({ guardrailIdentifier: GR, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'about PROJECT ZEUS' } }] }),
    );
    assertMeta(hit);
    assert.equal(hit.action, 'GUARDRAIL_INTERVENED');
    assert.deepEqual(hit.outputs, [{ text: IN_MSG }]);
    assert.deepEqual(hit.assessments[0].wordPolicy.customWords, [{ match: 'project zeus', action: 'BLOCKED', detected: true }]);
    assert.equal(hit.usage.wordPolicyUnits, 1);
    assert.equal(hit.usage.topicPolicyUnits, 0);
    const none = await client.send(
      new ApplyGuardrailCommand({ guardrailIdentifier: GR_ARN, guardrailVersion: 'DRAFT', source: 'OUTPUT', content: [{ text: { text: 'project zeus is fine as output' } }] }),
    );
    assert.equal(none.action, 'NONE');
    assert.deepEqual(none.outputs, []);
    const out = await client.send(new ApplyGuardrailCommand({ guardrailIdentifier: GR, guardrailVersion: '1', source: 'OUTPUT', content: [{ text: { text: 'pw: hunter2' } }] }));
    assert.deepEqual(out.outputs, [{ text: OUT_MSG }]);
  });

  test('an unknown guardrail or version is refused, never ignored', async () => {
    const notFound = /The guardrail identifier or version provided in the request does not exist/;
    await expectServiceError(
      client.send(new ApplyGuardrailCommand({ guardrailIdentifier: 'zzzzzzzzzzzz', guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'x' } }] })),
      { name: 'ResourceNotFoundException', message: notFound },
    );
    await expectServiceError(
      client.send(new ApplyGuardrailCommand({ guardrailIdentifier: GR, guardrailVersion: '7', source: 'INPUT', content: [{ text: { text: 'x' } }] })),
      { name: 'ResourceNotFoundException', message: notFound },
    );
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), guardrailConfig: guard({ guardrailIdentifier: 'zzzzzzzzzzzz' }) })), {
      name: 'ValidationException',
      message: notFound,
    });
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), guardrailConfig: guard({ guardrailVersion: 'draft' }) })), {
      name: 'ValidationException',
      message: /guardrailConfig\.guardrailVersion/,
    });
  });

  test('a principal without bedrock:ApplyGuardrail is denied on the guardrail ARN', async () => {
    const consumer = server.runtimeClient({ credentials: { ...RD_E2E } });
    const denied = new RegExp(`not authorized to perform: bedrock:ApplyGuardrail on resource: ${GR_ARN}`);
    await expectServiceError(consumer.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), guardrailConfig: guard() })), {
      name: 'AccessDeniedException',
      message: denied,
    });
    await expectServiceError(
      consumer.send(new ApplyGuardrailCommand({ guardrailIdentifier: GR, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'x' } }] })),
      { name: 'AccessDeniedException', message: denied },
    );
    // Without a guardrail the same consumer is served as before.
    const out = await consumer.send(new ConverseCommand({ modelId: HAIKU, messages: user('Say: still works') }));
    assert.equal(textOf(out), 'still works');
  });
});
