// Issue 14, item 4 through the official clients: extended thinking. Converse / ConverseStream
// with additionalModelRequestFields.thinking answer with a reasoningContent block (text and
// signature) before the answer, streamed as reasoningContent deltas; the Anthropic Bedrock SDK's
// messages.create / messages.stream get a thinking block with its signature (thinking_delta and
// signature_delta events). Reasoning tokens are output tokens. Validation errors keep the model's
// wording, a model without thinking refuses it, and a reasoning block sent back next turn works.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CreateInferenceProfileCommand, DeleteInferenceProfileCommand } from '@aws-sdk/client-bedrock';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { ADMIN, EXTERNAL, REGION, SEED, anthropicClient, assertMeta, expectServiceError, startServer, systemProfileArn, uniqueSuffix } from './harness.mjs';

const HAIKU = SEED.haiku.arn;
const thinking = (budget_tokens = 1024) => ({ thinking: { type: 'enabled', budget_tokens } });
const user = (text) => [{ role: 'user', content: [{ text }] }];
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

// The simulated model's tokenizer (simulated_backend.h): runs of letters/digits (6 bytes a
// token at most), or one punctuation character; whitespace is free. ASCII only here.
function countTokens(text) {
  let n = 0;
  for (const run of text.match(/[A-Za-z0-9\u0080-\uffff]+|[^\sA-Za-z0-9\u0080-\uffff]/g) ?? []) {
    n += /^[A-Za-z0-9]/.test(run) ? Math.ceil(run.length / 6) : 1;
  }
  return n;
}

describe('reasoning (extended thinking)', () => {
  let server;
  let client;
  let anthropic;
  before(async () => {
    server = await startServer();
    client = server.runtimeClient();
    anthropic = anthropicClient(server);
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('Converse: a signed reasoningContent block comes before the answer, counted as output', async () => {
    const plain = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Why is the sea salty?') }));
    const out = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Why is the sea salty?'), additionalModelRequestFields: thinking() }),
    );
    assertMeta(out);
    const [reasoning, answer, ...rest] = out.output.message.content;
    assert.deepEqual(rest, []);
    const { text, signature } = reasoning.reasoningContent.reasoningText;
    assert.match(text, /^The user asks: "Why is the sea salty\?"\./);
    assert.match(signature, SIGNATURE);
    assert.deepEqual(answer, plain.output.message.content[0]);
    assert.equal(out.stopReason, 'end_turn');
    assert.equal(out.usage.outputTokens, plain.usage.outputTokens + countTokens(text));
    assert.equal(out.usage.inputTokens, plain.usage.inputTokens);
    // Deterministic: the same request reasons the same way, with the same signature.
    const again = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Why is the sea salty?'), additionalModelRequestFields: thinking(2000) }),
    );
    assert.deepEqual(again.output.message.content[0], reasoning);
  });

  test('ConverseStream: reasoningContent text deltas, then the signature, then the answer at index 1', async () => {
    const out = await client.send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: user('Say: streamed answer'), additionalModelRequestFields: thinking() }),
    );
    const events = [];
    for await (const ev of out.stream) events.push(ev);
    const names = events.map((e) => Object.keys(e).find((k) => e[k] !== undefined));
    assert.equal(names[0], 'messageStart');
    const deltas0 = events.filter((e) => e.contentBlockDelta?.contentBlockIndex === 0).map((e) => e.contentBlockDelta.delta);
    const texts = deltas0.filter((d) => d.reasoningContent?.text !== undefined).map((d) => d.reasoningContent.text);
    const signatures = deltas0.filter((d) => d.reasoningContent?.signature !== undefined).map((d) => d.reasoningContent.signature);
    assert.ok(texts.length > 5, `${texts.length} reasoning deltas`);
    assert.equal(signatures.length, 1);
    assert.match(signatures[0], SIGNATURE);
    assert.ok(deltas0.at(-1).reasoningContent.signature, 'the signature is the last delta of the block');
    const reasoning = texts.join('');
    assert.match(reasoning, /repeated exactly/);
    for (const t of texts) assert.equal(countTokens(t), 1, `one token per delta: ${JSON.stringify(t)}`);
    // No contentBlockStart for the reasoning block; its stop precedes the answer's deltas.
    assert.ok(!events.some((e) => e.contentBlockStart));
    const stop0 = events.findIndex((e) => e.contentBlockStop?.contentBlockIndex === 0);
    const first1 = events.findIndex((e) => e.contentBlockDelta?.contentBlockIndex === 1);
    assert.ok(stop0 > 0 && first1 > stop0);
    const answer = events.filter((e) => e.contentBlockDelta?.contentBlockIndex === 1).map((e) => e.contentBlockDelta.delta.text).join('');
    assert.equal(answer, 'streamed answer');
    const usage = events.find((e) => e.metadata).metadata.usage;
    assert.equal(usage.outputTokens, texts.length + countTokens('streamed answer'));
    // The same request unstreamed gives the same reasoning and signature.
    const whole = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Say: streamed answer'), additionalModelRequestFields: thinking() }),
    );
    assert.deepEqual(whole.output.message.content[0].reasoningContent.reasoningText, { text: reasoning, signature: signatures[0] });
  });

  test('Converse: validation errors carry the model\'s wording', async () => {
    await expectServiceError(
      client.send(new ConverseCommand({ modelId: HAIKU, messages: user('x'), additionalModelRequestFields: thinking(512) })),
      { name: 'ValidationException', message: /^The model returned the following errors: thinking\.enabled\.budget_tokens: Input should be greater than or equal to 1024$/ },
    );
    await expectServiceError(
      client.send(
        new ConverseCommand({ modelId: HAIKU, messages: user('x'), inferenceConfig: { maxTokens: 1024 }, additionalModelRequestFields: thinking() }),
      ),
      { name: 'ValidationException', message: /^The model returned the following errors: `max_tokens` must be greater than `thinking\.budget_tokens`/ },
    );
    await expectServiceError(
      client.send(
        new ConverseCommand({ modelId: HAIKU, messages: user('x'), inferenceConfig: { temperature: 0.2 }, additionalModelRequestFields: thinking() }),
      ),
      { name: 'ValidationException', message: /`temperature` may only be set to 1 when thinking is enabled/ },
    );
    await expectServiceError(
      client.send(
        new ConverseCommand({
          modelId: HAIKU,
          messages: user('x'),
          toolConfig: { tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }], toolChoice: { any: {} } },
          additionalModelRequestFields: thinking(),
        }),
      ),
      { name: 'ValidationException', message: /Thinking may not be enabled when tool_choice forces tool use\./ },
    );
  });

  test('Converse: a second turn sends the reasoning back', async () => {
    const first = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user('Plan a picnic'), additionalModelRequestFields: thinking() }));
    const messages = [...user('Plan a picnic'), first.output.message, ...user('And if it rains?')];
    const second = await client.send(new ConverseCommand({ modelId: HAIKU, messages, additionalModelRequestFields: thinking() }));
    const { text } = second.output.message.content[0].reasoningContent.reasoningText;
    assert.match(text, /^The user asks: "And if it rains\?"\. This is turn 2 of the conversation/);
    assert.ok(second.usage.inputTokens > first.usage.inputTokens + countTokens(first.output.message.content[0].reasoningContent.reasoningText.text));
  });

  test('Anthropic SDK messages.create: a thinking block with its signature', async () => {
    const msg = await anthropic.messages.create({
      model: HAIKU,
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Say: hello there' }],
    });
    assert.equal(msg.content.length, 2);
    const [block, text] = msg.content;
    assert.equal(block.type, 'thinking');
    assert.match(block.thinking, /^The user asks: "Say: hello there"\./);
    assert.match(block.signature, SIGNATURE);
    assert.deepEqual(text, { type: 'text', text: 'hello there' });
    assert.equal(msg.usage.output_tokens, countTokens(block.thinking) + countTokens('hello there'));
    // The same reasoning as through Converse for the same conversation.
    const converse = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Say: hello there'), inferenceConfig: { maxTokens: 2048 }, additionalModelRequestFields: thinking() }),
    );
    assert.deepEqual(converse.output.message.content[0].reasoningContent.reasoningText, { text: block.thinking, signature: block.signature });

    // Second turn: the whole content goes back, thinking block and signature included.
    const next = await anthropic.messages.create({
      model: HAIKU,
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'Say: hello there' },
        { role: 'assistant', content: msg.content },
        { role: 'user', content: 'Say: again' },
      ],
    });
    assert.equal(next.content[0].type, 'thinking');
    assert.match(next.content[0].thinking, /This is turn 2 of the conversation/);
    assert.deepEqual(next.content[1], { type: 'text', text: 'again' });
  });

  test('Anthropic SDK messages.stream: thinking and signature events, then the text', async () => {
    const thinkingDeltas = [];
    const signatures = [];
    const stream = anthropic.messages
      .stream({
        model: HAIKU,
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Say: streamed hello' }],
      })
      .on('thinking', (delta) => thinkingDeltas.push(delta))
      .on('signature', (signature) => signatures.push(signature));
    const starts = [];
    stream.on('streamEvent', (ev) => {
      if (ev.type === 'content_block_start') starts.push(ev.content_block);
    });
    const final = await stream.finalMessage();
    assert.deepEqual(starts[0], { type: 'thinking', thinking: '', signature: '' });
    assert.equal(starts[1].type, 'text');
    assert.ok(thinkingDeltas.length > 5);
    assert.equal(signatures.length, 1);
    assert.match(signatures[0], SIGNATURE);
    const [block, text] = final.content;
    assert.deepEqual(block, { type: 'thinking', thinking: thinkingDeltas.join(''), signature: signatures[0] });
    assert.equal(text.text, 'streamed hello');
    assert.equal(final.usage.output_tokens, thinkingDeltas.length + countTokens('streamed hello'));
  });

  test('Anthropic SDK: validation errors carry the model\'s wording', async () => {
    const call = (extra) =>
      anthropic.messages.create({ model: HAIKU, max_tokens: 2048, messages: [{ role: 'user', content: 'x' }], ...extra });
    await assert.rejects(call({ thinking: { type: 'enabled', budget_tokens: 4096 } }), (e) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /`max_tokens` must be greater than `thinking\.budget_tokens`/);
      return true;
    });
    await assert.rejects(call({ thinking: { type: 'enabled', budget_tokens: 1024 }, top_k: 5 }), (e) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /`top_k` must be unset when thinking is enabled/);
      return true;
    });
    await assert.rejects(call({ thinking: { type: 'adaptive' } }), (e) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /"thinking\.type\.adaptive" is not supported for this model/);
      return true;
    });
    // Disabled thinking is plain.
    const plain = await call({ thinking: { type: 'disabled' } });
    assert.deepEqual(plain.content.map((b) => b.type), ['text']);
  });

  test('a model without extended thinking refuses it', { skip: EXTERNAL && 'creates a profile' }, async () => {
    const bedrock = server.controlClient();
    const created = await bedrock.send(
      new CreateInferenceProfileCommand({
        inferenceProfileName: `reason-3-haiku-${uniqueSuffix()}`,
        modelSource: { copyFrom: systemProfileArn('eu.anthropic.claude-3-haiku-20240307-v1:0') },
      }),
    );
    try {
      const arn = created.inferenceProfileArn;
      const plain = await client.send(new ConverseCommand({ modelId: arn, messages: user('Say: fine') }));
      assert.deepEqual(plain.output.message.content, [{ text: 'fine' }]);
      await expectServiceError(
        client.send(new ConverseCommand({ modelId: arn, messages: user('x'), additionalModelRequestFields: thinking() })),
        { name: 'ValidationException', message: /^The model returned the following errors: claude-3-haiku-20240307 does not support thinking$/ },
      );
      await assert.rejects(
        anthropic.messages.create({ model: arn, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'x' }] }),
        (e) => {
          assert.equal(e.status, 400);
          assert.match(e.message, /claude-3-haiku-20240307 does not support thinking/);
          return true;
        },
      );
    } finally {
      await bedrock.send(new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: created.inferenceProfileArn }));
    }
  });
});
