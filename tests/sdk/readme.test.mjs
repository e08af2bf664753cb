// Every snippet of README.md, run as a newcomer would run it, against a `serve` with the
// shipped default config (docs: README.md "Using it").
//
// The README's blocks are taken in order. A `sh` block is run by bash after the `export`
// lines of the blocks before it (blocks that start the server or the suite, `make run` /
// `make test`, are skipped; `aws ...` lines are dropped: the AWS CLI is not among the
// packages the suite installs). A `js` block is written to a file in this folder (so its
// imports resolve from tests/sdk/node_modules) and run with `node` in the same shell
// environment. The README's `http://127.0.0.1:8700` becomes this server's address and
// `build/bedrock-profiles` the binary under test; nothing else is changed.
//
// Each block must exit 0 and print something; a block that sends `Say: TEXT` must print TEXT
// (the simulated model echoes it), and the control-plane snippet must list rd-haiku-45's ARN.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { EXTERNAL, SEED, startServer } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const README = path.resolve(HERE, '../../README.md');
const BINARY = process.env.BP_BINARY || path.resolve(HERE, '../../build/bedrock-profiles');

/** The fenced blocks of `text`: { lang, body, line } in order. */
export function fencedBlocks(text) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; ++i) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (++i; i < lines.length && !/^```\s*$/.test(lines[i]); ++i) body.push(lines[i]);
    assert.ok(i < lines.length, `README.md:${start + 1}: unterminated code block`);
    out.push({ lang: open[1], body: body.join('\n') + '\n', line: start + 1 });
  }
  return out;
}

/** The `export` statements of a shell block (with their continuation lines). */
function exportsOf(body) {
  const out = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; ++i) {
    if (!/^export\s/.test(lines[i])) continue;
    let statement = lines[i];
    while (statement.endsWith('\\') && i + 1 < lines.length) statement += '\n' + lines[++i];
    out.push(statement);
  }
  return out;
}

/** The texts a block asks the simulated model to echo ("Say: hi" -> "hi"). */
function echoes(body) {
  return [...body.matchAll(/Say: ([^"'\\\n]+)/g)].map((m) => m[1].trim());
}

describe('README.md snippets', { skip: EXTERNAL && 'runs the binary with the shipped config' }, () => {
  let server;
  let scratch;
  const blocks = fencedBlocks(readFileSync(README, 'utf8'));
  // Only the variables the README sets (plus PATH and HOME) reach the snippets.
  const baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };

  before(async () => {
    server = await startServer();
    scratch = mkdtempSync(path.join(HERE, '.readme-'));
  });
  after(async () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await server?.stop();
  });

  const localize = (text) =>
    text.replaceAll('http://127.0.0.1:8700', server.endpoint).replaceAll('build/bedrock-profiles', BINARY);

  function runBash(script, what) {
    const r = spawnSync('bash', ['-c', `set -euo pipefail\n${script}`], {
      cwd: scratch,
      env: baseEnv,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  it('has the snippets this suite expects', () => {
    const langs = blocks.map((b) => b.lang);
    assert.ok(langs.filter((l) => l === 'js').length >= 5, `js blocks: ${langs}`);
    for (const sdk of ['@aws-sdk/client-bedrock', '@aws-sdk/client-bedrock-runtime', '@anthropic-ai/bedrock-sdk',
      '@ai-sdk/amazon-bedrock', '@langchain/aws']) {
      assert.ok(blocks.some((b) => b.lang === 'js' && b.body.includes(`from "${sdk}"`)), `no snippet for ${sdk}`);
    }
    for (const b of blocks.filter((x) => x.lang === 'js')) {
      assert.ok(!b.body.includes('application-inference-profile/'),
        `README.md:${b.line}: a snippet hard-codes an ARN; read BEDROCK_INFERENCE_PROFILE_ARN`);
      assert.match(b.body, /console\.log\(/, `README.md:${b.line}: the snippet prints nothing`);
    }
  });

  it('runs every shell and JavaScript block in order', () => {
    const exports = [];
    let ran = 0;
    for (const [n, b] of blocks.entries()) {
      const where = `README.md:${b.line} (${b.lang || 'text'} block)`;
      if (b.lang === 'sh') {
        if (/\bmake (run|test)\b/.test(b.body)) continue;
        const script = b.body.split('\n').filter((l) => !/^aws\s/.test(l)).join('\n');
        const out = runBash(localize([...exports, script].join('\n')), where);
        for (const text of echoes(b.body)) assert.ok(out.includes(text), `${where} did not print "${text}":\n${out}`);
        exports.push(...exportsOf(b.body));
        ++ran;
      } else if (b.lang === 'js') {
        const file = path.join(scratch, `snippet-${n}.mjs`);
        writeFileSync(file, localize(b.body));
        const out = runBash(localize([...exports, `exec node ${JSON.stringify(file)}`].join('\n')), where);
        assert.notEqual(out.trim(), '', `${where} printed nothing`);
        for (const text of echoes(b.body)) assert.ok(out.includes(text), `${where} did not print "${text}":\n${out}`);
        if (b.body.includes('ListInferenceProfilesCommand')) {
          assert.ok(out.includes(`rd-haiku-45 ${SEED.haiku.arn}`), `${where}:\n${out}`);
        }
        ++ran;
      }
    }
    assert.ok(ran >= 8, `only ${ran} blocks ran`);
  });
});
