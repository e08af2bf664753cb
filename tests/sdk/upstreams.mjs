// Proxy mode of the SDK suite: with BP_UPSTREAM=openai or BP_UPSTREAM=bedrock, every region of
// every config the harness writes is backed by tests/fakes' bp-fake-upstream instead of the
// simulated model (docs/upstreams.md). The fakes answer from the same simulated model, so the
// suite's expectations hold through the proxy; a test that depends on the simulated model's own
// timing or state skips itself with `skip: UPSTREAM && '...'`.
//
// openai:  one fake (`bp-fake-upstream openai`) for all regions, API key from LOCAL_LLM_KEY.
// bedrock: one fake per region (each verifies SigV4 for its own region), serve's AWS
//          credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in its environment.
// The fakes live as long as the test file's process (killed at exit).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** '' (simulated regions), 'openai' or 'bedrock'. */
export const UPSTREAM = process.env.BP_UPSTREAM || '';
if (!['', 'openai', 'bedrock'].includes(UPSTREAM)) {
  throw new Error(`BP_UPSTREAM must be openai or bedrock, not ${JSON.stringify(UPSTREAM)}`);
}

export const UPSTREAM_MODEL = 'qwen2.5-7b-instruct';
export const UPSTREAM_API_KEY = 'sk-local-test-key-0001';
export const UPSTREAM_AWS = Object.freeze({
  accessKeyId: 'AKIAUPSTREAMTEST0001',
  secretAccessKey: 'upstreamTestSecretKeyForTheFakeBedrock01',
});

const fakes = new Map(); // region (or 'openai') -> { url, child }
const spawned = new Set(); // every fake child still running

function fakeBinary() {
  const bin = process.env.BP_FAKE_UPSTREAM || path.resolve(HERE, '../../build/bp-fake-upstream');
  if (!existsSync(bin)) throw new Error(`bp-fake-upstream not found at ${bin}: build it or set BP_FAKE_UPSTREAM`);
  return bin;
}

/**
 * Starts one bp-fake-upstream (`args`: its mode and flags) on `listen` (default: a free port);
 * resolves to { url, child } once it listens. Killed at exit like the others.
 */
export async function startFake(args, listen = '127.0.0.1:0') {
  const child = spawn(fakeBinary(), [...args, '--listen', listen], { stdio: ['ignore', 'pipe', 'inherit'] });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  child.unref();
  child.stdout.unref();
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bp-fake-upstream ${args[0]}: no listening line`)), 10_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = /^bp-fake-upstream listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`bp-fake-upstream: unexpected first line ${JSON.stringify(line)}`));
    });
    child.once('exit', (code) => reject(new Error(`bp-fake-upstream exited (${code}) before listening`)));
  });
  return { url, child };
}

/** Starts the fakes the regions need (idempotent). */
export async function ensureFakes(regions) {
  if (!UPSTREAM) return;
  if (UPSTREAM === 'openai') {
    if (!fakes.has('openai')) fakes.set('openai', await startFake(['openai', '--model', UPSTREAM_MODEL, '--api-key', UPSTREAM_API_KEY]));
    return;
  }
  for (const region of regions) {
    if (fakes.has(region)) continue;
    fakes.set(
      region,
      await startFake([
        'bedrock', '--region', region,
        '--access-key-id', UPSTREAM_AWS.accessKeyId, '--secret-access-key', UPSTREAM_AWS.secretAccessKey,
      ]),
    );
  }
}

/** The fake serving `region` (its URL and process), once ensureFakes() ran. */
export function fakeFor(region) {
  return fakes.get(UPSTREAM === 'openai' ? 'openai' : region);
}

/** What serve's environment needs for the fakes. */
export function upstreamEnv() {
  if (UPSTREAM === 'openai') return { LOCAL_LLM_KEY: UPSTREAM_API_KEY };
  if (UPSTREAM === 'bedrock') {
    return { AWS_ACCESS_KEY_ID: UPSTREAM_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: UPSTREAM_AWS.secretAccessKey };
  }
  return {};
}

// The HCL of one region's backend block for the fake.
function backendBlock(region) {
  const fake = fakeFor(region);
  if (!fake) throw new Error(`no fake started for ${region} (ensureFakes first)`);
  if (UPSTREAM === 'openai') {
    return `backend = "openai", openai = { base_url = "${fake.url}", model = "${UPSTREAM_MODEL}", api_key_env = "LOCAL_LLM_KEY" }`;
  }
  return `backend = "bedrock", bedrock = { endpoint = "${fake.url}" }`;
}

/**
 * Rewrites the entries of a `regions` map (one `NAME = { ... }` per line, as the tests write
 * them) so that each region is backed by its fake: the simulated block goes, faults and service
 * tiers stay. Unchanged without BP_UPSTREAM.
 */
export function proxiedRegions(entries) {
  if (!UPSTREAM) return entries;
  return entries
    .split('\n')
    .map((line) => {
      const m = /^(\s*)([a-z]{2}(?:-[a-z]+)+-\d+)\s*=\s*\{(.*)\}\s*$/.exec(line);
      if (!m || /backend\s*=\s*"(openai|bedrock)"/.test(line)) return line; // already an upstream
      const rest = m[3]
        .replace(/backend\s*=\s*"simulated"\s*,?/, '')
        .replace(/simulated\s*=\s*\{[^}]*\}\s*,?/, '')
        .trim()
        .replace(/^,|,$/g, '')
        .trim();
      return `${m[1]}${m[2]} = { ${backendBlock(m[2])}${rest ? `, ${rest}` : ''} }`;
    })
    .join('\n');
}

/** Kills every fake (the process exit does it too). */
export function stopFakes() {
  for (const child of spawned) child.kill('SIGKILL');
  spawned.clear();
  fakes.clear();
}
process.on('exit', stopFakes);
