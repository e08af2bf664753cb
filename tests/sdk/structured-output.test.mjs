// Issue 14, item 3 through the official clients: structured output (Converse
// outputConfig.textFormat, Anthropic output_config.format) answers JSON that validates against the
// schema, strict tools get complete inputs, and a schema outside the supported subset is a 400
// naming the reason. Also what the Vercel AI SDK (generateObject, both its JSON-tool and native
// modes) and LangChain (withStructuredOutput) send for a zod schema.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { ChatBedrockConverse } from '@langchain/aws';
import { generateObject } from 'ai';
import { z } from 'zod';

import { ADMIN, EU_REGIONS, EXTERNAL, REGION, SEED, anthropicClient, assertMeta, expectServiceError, shippedConfigWith, startServer } from './harness.mjs';

const HAIKU = SEED.haiku.arn;
const decoder = new TextDecoder();

function config(dir) {
  const regions = EU_REGIONS.map((r) => `  ${r} = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }`).join('\n');
  return shippedConfigWith(dir, { regions });
}

const user = (text) => [{ role: 'user', content: [{ text }] }];

const PERSON = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer' },
    email: { type: 'string', format: 'email' },
    born: { type: 'string', format: 'date' },
    status: { type: 'string', enum: ['active', 'retired'] },
    address: {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: ['string', 'null'] } },
      required: ['city', 'zip'],
      additionalProperties: false,
    },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
  },
  required: ['name', 'age', 'email', 'born', 'status', 'address', 'tags'],
  additionalProperties: false,
};
// What the simulated model answers for PERSON and the prompt below (strings come from the prompt).
const PROMPT = 'Describe Paris resident "Ada"';
const EXPECTED = {
  name: 'Ada',
  age: 1,
  email: 'user@example.com',
  born: '2025-01-01',
  status: 'active',
  address: { city: 'Paris', zip: 'Ada' },
  tags: ['Ada'],
};

/** A RegExp matching exactly `text` (expectServiceError takes patterns). */
const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

const outputConfig = (schema) => ({
  textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'person', description: 'A person' } } },
});

describe('structured output and strict tools', { skip: EXTERNAL && 'needs its own server config' }, () => {
  let server;
  let dir;
  let client;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-structured-'));
    server = await startServer({ config: config(dir) });
    client = server.runtimeClient();
  });
  after(async () => {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const anthropic = () => anthropicClient(server);
  // `sent` collects the Converse bodies the provider posts.
  const vercel = (sent) =>
    createAmazonBedrock({
      baseURL: server.endpoint,
      region: REGION,
      accessKeyId: ADMIN.accessKeyId,
      secretAccessKey: ADMIN.secretAccessKey,
      fetch: (url, init) => {
        sent.push(JSON.parse(init.body));
        return fetch(url, init);
      },
    });

  test('Converse with outputConfig answers JSON valid against the schema', async () => {
    const out = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user(PROMPT), outputConfig: outputConfig(PERSON) }));
    assertMeta(out);
    assert.equal(out.stopReason, 'end_turn');
    assert.equal(out.output.message.content.length, 1);
    assert.deepEqual(JSON.parse(out.output.message.content[0].text), EXPECTED);
  });

  test('ConverseStream with outputConfig streams the same JSON', async () => {
    const out = await client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: user(PROMPT), outputConfig: outputConfig(PERSON) }));
    let text = '';
    let deltas = 0;
    let stop;
    for await (const ev of out.stream) {
      if (ev.contentBlockDelta) {
        text += ev.contentBlockDelta.delta.text;
        deltas += 1;
      }
      if (ev.messageStop) stop = ev.messageStop.stopReason;
    }
    assert.ok(deltas > 1, 'the JSON streams token by token');
    assert.equal(stop, 'end_turn');
    assert.deepEqual(JSON.parse(text), EXPECTED);
  });

  test('a "Say:" JSON text is answered as scripted; max tokens cut the JSON', async () => {
    const scripted = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user('Say: {"name":"Bob"}'), outputConfig: outputConfig({ type: 'object', properties: { name: { type: 'string' } } }) }),
    );
    assert.deepEqual(JSON.parse(scripted.output.message.content[0].text), { name: 'Bob' });
    const cut = await client.send(new ConverseCommand({ modelId: HAIKU, messages: user(PROMPT), outputConfig: outputConfig(PERSON), inferenceConfig: { maxTokens: 5 } }));
    assert.equal(cut.stopReason, 'max_tokens');
    assert.throws(() => JSON.parse(cut.output.message.content[0].text));
  });

  test('an unsupported schema is a ValidationException naming the reason and the pointer', async () => {
    const bounded = { type: 'object', properties: { rating: { type: 'integer', minimum: 1, maximum: 5 } } };
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), outputConfig: outputConfig(bounded) })), {
      name: 'ValidationException',
      status: 400,
      message: exactly("outputConfig.textFormat.structure.jsonSchema.schema: For 'integer' type, properties maximum, minimum are not supported (at #/properties/rating)"),
    });
    const recursive = { $ref: '#/$defs/n', $defs: { n: { type: 'object', properties: { next: { $ref: '#/$defs/n' } } } } };
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), outputConfig: outputConfig(recursive) })), {
      name: 'ValidationException',
      message: /Recursive schemas are not supported/,
    });
    const notJson = { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{type: object}' } } } };
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), outputConfig: notJson })), {
      name: 'ValidationException',
      message: /outputConfig\.textFormat\.structure\.jsonSchema\.schema' failed to satisfy constraint: Member must be a JSON schema in JSON text/,
    });
  });

  test('a strict tool gets an input that satisfies its schema in full; an unsupported strict schema is refused', async () => {
    const toolSpec = { name: 'save_person', description: 'Store a person', strict: true, inputSchema: { json: PERSON } };
    const out = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: user(PROMPT), toolConfig: { tools: [{ toolSpec }], toolChoice: { tool: { name: 'save_person' } } } }),
    );
    assert.equal(out.stopReason, 'tool_use');
    assert.deepEqual(out.output.message.content[0].toolUse.input, EXPECTED);
    const bad = { ...toolSpec, inputSchema: { json: { type: 'object', properties: { s: { type: 'string', pattern: '^a+$' } } } } };
    await expectServiceError(client.send(new ConverseCommand({ modelId: HAIKU, messages: user('hi'), toolConfig: { tools: [{ toolSpec: bad }] } })), {
      name: 'ValidationException',
      message: exactly("toolConfig.tools.0.toolSpec.inputSchema.json: For 'string' type, property 'pattern' is not supported (at #/properties/s)"),
    });
  });

  test('@anthropic-ai/bedrock-sdk messages.create with output_config.format, and InvokeModel refusing a bad schema', async () => {
    const message = await anthropic().messages.create({
      model: HAIKU,
      max_tokens: 500,
      messages: [{ role: 'user', content: PROMPT }],
      output_config: { format: { type: 'json_schema', schema: PERSON } },
    });
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.content[0].type, 'text');
    assert.deepEqual(JSON.parse(message.content[0].text), EXPECTED);
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
      output_config: { format: { type: 'json_schema', schema: { type: 'array', items: { type: 'string' }, maxItems: 3 } } },
    });
    await expectServiceError(client.send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body })), {
      name: 'ValidationException',
      message: exactly("output_config.format.schema: For 'array' type, property 'maxItems' is not supported (at #)"),
    });
    const strictTool = await anthropic().messages.create({
      model: HAIKU,
      max_tokens: 500,
      messages: [{ role: 'user', content: PROMPT }],
      tools: [{ name: 'save_person', input_schema: PERSON, strict: true }],
      tool_choice: { type: 'tool', name: 'save_person' },
    });
    assert.deepEqual(strictTool.content[0].input, EXPECTED);
    // InvokeModel's answer body is the Anthropic message: its text is the JSON.
    const invoked = await client.send(
      new InvokeModelCommand({
        modelId: HAIKU,
        contentType: 'application/json',
        body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 500, messages: [{ role: 'user', content: PROMPT }], output_format: { type: 'json_schema', schema: PERSON } }),
      }),
    );
    assert.deepEqual(JSON.parse(JSON.parse(decoder.decode(invoked.body)).content[0].text), EXPECTED);
  });

  const Person = z.object({
    name: z.string(),
    age: z.number().int(),
    email: z.email(),
    status: z.enum(['active', 'retired']),
    address: z.object({ city: z.string(), zip: z.string().nullable() }),
    tags: z.array(z.string()),
  });

  test('Vercel AI SDK generateObject with a zod schema: its JSON tool (the default) and native output_config', async () => {
    const sent = [];
    const bedrock = vercel(sent);
    // Through the application profile ARN the SDK does not know the model: it asks for a "json" tool.
    const viaTool = await generateObject({ model: bedrock(HAIKU), schema: Person, prompt: PROMPT });
    assert.equal(viaTool.object.name, 'Ada');
    assert.equal(viaTool.object.address.city, 'Paris');
    assert.equal(viaTool.object.status, 'active');
    assert.ok(Person.safeParse(viaTool.object).success);
    assert.equal(sent[0].toolConfig.tools[0].toolSpec.name, 'json');
    assert.equal(sent[0].outputConfig, undefined);
    // Told the profile is a Claude model, it sends additionalModelRequestFields.output_config.format
    // instead, and parses the answer's text.
    const native = await generateObject({ model: bedrock(HAIKU, { modelFamily: 'anthropic' }), schema: Person, prompt: PROMPT });
    assert.ok(Person.safeParse(native.object).success, JSON.stringify(native.object));
    assert.equal(native.object.name, 'Ada');
    assert.equal(native.finishReason, 'stop');
    assert.equal(sent[1].additionalModelRequestFields.output_config.format.type, 'json_schema');
    assert.equal(sent[1].toolConfig, undefined);
  });

  test('LangChain ChatBedrockConverse.withStructuredOutput(zod) returns the parsed object', async () => {
    // The profile ARN names no model family LangChain knows: say which tool choices it may use.
    const llm = new ChatBedrockConverse({
      model: HAIKU,
      region: REGION,
      client: server.runtimeClient(),
      supportsToolChoiceValues: ['auto', 'any', 'tool'],
    });
    const structured = llm.withStructuredOutput(Person, { name: 'person' });
    const out = await structured.invoke(PROMPT);
    assert.ok(Person.safeParse(out).success, JSON.stringify(out));
    assert.equal(out.address.city, 'Paris');
  });
});
