// Test harness for the SDK conformance suite.
//
// startServer() spawns `bedrock-profiles serve --listen 127.0.0.1:0 --state <fresh temp dir>`
// (binary from $BP_BINARY, else ../../build/bedrock-profiles next to this file), waits for the
// contract's first stdout line `bedrock-profiles listening on http://HOST:PORT` and returns a
// handle with the endpoint, clients bound to it, stop() (SIGTERM, expects exit 0), kill9() and
// restart() (same --state dir, new port). With $BP_ENDPOINT set it spawns nothing and returns a
// handle on that server instead (stop() then only closes clients; kill9/restart are refused).
//
// Every spawned server is killed and its temp dir removed when the test file ends, even on
// failure (after() hooks, plus process 'exit' and signal handlers as a last resort).
//
// Also here: the seed's names and ARNs, client factories (BedrockClient over HTTP/1.1,
// BedrockRuntimeClient over its default h2c transport), SigV4-signed raw HTTP/1.1 and HTTP/2
// requests (signed by the SDK's own signer, so they keep working once auth is enforced) and
// assertion helpers for service errors.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';

import { UPSTREAM, ensureFakes, proxiedRegions, upstreamEnv } from './upstreams.mjs';

// Keep the clients hermetic: no bearer token from the environment (it would win over the
// explicit SigV4 keys), no shared config/credentials files, no Node-version nag on stderr.
delete process.env.AWS_BEARER_TOKEN_BEDROCK;
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { BedrockClient } = await import('@aws-sdk/client-bedrock').catch(missingPackages);
const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime').catch(missingPackages);
const { SignatureV4 } = await import('@smithy/signature-v4').catch(missingPackages);

function missingPackages(cause) {
  throw new Error(
    'tests/sdk: the npm packages are not installed; run scripts/setup (it runs `npm ci` in tests/sdk)',
    { cause },
  );
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// The shipped default config (config/bedrock-profiles.hcl) and the model catalog.

export const REGION = 'eu-central-1';
export const ACCOUNT = '123456789012';
export const EU_REGIONS = ['eu-central-1', 'eu-west-1', 'eu-west-3'];

export { UPSTREAM };
// Proxy mode (upstreams.mjs): the fakes for the regions the suite's configs name.
if (UPSTREAM) await ensureFakes(EU_REGIONS);

export const ADMIN = Object.freeze({
  accessKeyId: 'AKIABPLOCALADMIN0001',
  secretAccessKey: 'bpLocalAdminSecretKeyDoNotUseOutsideDev1',
});
export const RD_E2E = Object.freeze({
  accessKeyId: 'AKIABPLOCALRDE2E0001',
  secretAccessKey: 'bpLocalRdE2eSecretKeyDoNotUseOutsideDev1',
});

export const DEFAULT_TAGS = Object.freeze({
  Environment: 'rd',
  Owner: 'platform-engineering',
  CostCenter: 'rd',
  'billing-mode': 'standard',
});

export const HAIKU_MODEL = 'anthropic.claude-haiku-4-5-20251001-v1:0';
export const SONNET_MODEL = 'anthropic.claude-sonnet-4-20250514-v1:0';
export const HAIKU_SYSTEM_PROFILE = `eu.${HAIKU_MODEL}`;
export const SONNET_SYSTEM_PROFILE = `eu.${SONNET_MODEL}`;

export const fmArn = (region, modelId) => `arn:aws:bedrock:${region}::foundation-model/${modelId}`;
export const systemProfileArn = (id) => `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/${id}`;
export const appProfileArn = (id) =>
  `arn:aws:bedrock:${REGION}:${ACCOUNT}:application-inference-profile/${id}`;
export const APP_PROFILE_ARN_RE =
  /^arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile\/([a-z0-9]{12})$/;

export const SEED = Object.freeze({
  haiku: Object.freeze({
    name: 'rd-haiku-45',
    id: 'acwt9yee9wzo',
    arn: appProfileArn('acwt9yee9wzo'),
    description: 'Claude Haiku 4.5 for research',
    modelId: HAIKU_MODEL,
    systemProfileId: HAIKU_SYSTEM_PROFILE,
  }),
  sonnet: Object.freeze({
    name: 'rd-sonnet-4',
    id: 'tkxdfdh17c6o',
    arn: appProfileArn('tkxdfdh17c6o'),
    description: 'Claude Sonnet 4 for research',
    modelId: SONNET_MODEL,
    systemProfileId: SONNET_SYSTEM_PROFILE,
  }),
});
// Tags the seed profiles carry: default_tags with the per-profile billing-mode override, plus
// the management tag `serve` puts on the profiles it bootstraps (so `plan` sees them as managed).
// config/model-prices.hcl, Claude Haiku 4.5 (USD per million tokens), and one
// call's cost in micro-USD as the ledger computes it: prices in micro-USD per
// million tokens are integers, the sum is in pico-USD, rounded half up once.
// `u` holds Converse-style usage (inputTokens, outputTokens, cacheReadInputTokens,
// cacheWriteInputTokens; absent counts 0).
export const HAIKU_PRICE = Object.freeze({ input: 1.1, output: 5.5, cacheRead: 0.11, cacheWrite5m: 1.375 });
export function haikuCostMicroUsd(u) {
  const pico =
    (u.inputTokens ?? 0) * Math.round(HAIKU_PRICE.input * 1e6) +
    (u.outputTokens ?? 0) * Math.round(HAIKU_PRICE.output * 1e6) +
    (u.cacheReadInputTokens ?? 0) * Math.round(HAIKU_PRICE.cacheRead * 1e6) +
    (u.cacheWriteInputTokens ?? 0) * Math.round(HAIKU_PRICE.cacheWrite5m * 1e6);
  return Math.floor((pico + 500_000) / 1_000_000);
}

export const SEED_TAGS = Object.freeze({ ...DEFAULT_TAGS, 'billing-mode': 'rd', 'managed-by': 'bedrock-profiles' });

// ---------------------------------------------------------------------------------------------
// Server lifecycle.

/** True when $BP_ENDPOINT names a running server: nothing is spawned, kill/restart are refused. */
export const EXTERNAL = Boolean(process.env.BP_ENDPOINT);

const START_TIMEOUT_MS = Number(process.env.BP_START_TIMEOUT_MS || 20_000);
const STOP_TIMEOUT_MS = 10_000;
const LISTENING_RE = /^bedrock-profiles listening on (http:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d+))$/;

const live = new Set(); // ServerProcess objects with a running child or a temp dir to remove

function binaryPath() {
  const bin = process.env.BP_BINARY || path.resolve(HERE, '../../build/bedrock-profiles');
  if (!existsSync(bin)) {
    throw new Error(
      `bedrock-profiles binary not found at ${bin}: build it (make build) or set BP_BINARY ` +
        '(or set BP_ENDPOINT to test a running server)',
    );
  }
  return bin;
}

/**
 * Starts a server (or attaches to $BP_ENDPOINT). Options:
 *   config: path of a config file (--config); default: the shipped default config
 *   args:   extra command-line arguments for `serve`
 *   env:    extra environment variables for `serve` (upstream credentials and API keys)
 * Register cleanup with `after(() => server.stop())`; it also happens at process exit.
 */
/**
 * Writes the shipped config with its `regions` and `routing` blocks replaced by the given HCL
 * (`regions`: the map's entries; `routing`: a whole `routing = {...}` line or '') and `extra`
 * (more top-level HCL, e.g. a `quotas = {...}` block) appended; returns the path.
 */
export function shippedConfigWith(dir, { regions, routing = '', extra = '' }) {
  const shipped = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config/bedrock-profiles.hcl'), 'utf8');
  const text = shipped.replace(/^regions = \{[\s\S]*?^\}\n/m, '').replace(/^routing = \{[\s\S]*?^\}\n/m, '');
  assert.ok(!/^regions =/m.test(text) && !/^routing =/m.test(text), 'could not strip the shipped regions/routing');
  const file = path.join(dir, 'bedrock-profiles.hcl');
  writeFileSync(file, `${text}\nregions = {\n${proxiedRegions(regions)}\n}\n${routing}\n${extra}\n`);
  return file;
}

export async function startServer(options = {}) {
  if (EXTERNAL) {
    if (options.config || options.args) {
      throw new Error('BP_ENDPOINT is set: cannot start a server with a custom config/arguments');
    }
    return new ExternalServer(process.env.BP_ENDPOINT);
  }
  const server = new ServerProcess(options);
  live.add(server);
  await server.start();
  return server;
}

class ClientOwner {
  #clients = new Set();

  /** BedrockClient (control plane; HTTP/1.1) bound to this server. */
  controlClient(overrides = {}) {
    return this.#track(controlClient(this.endpoint, overrides));
  }

  /** BedrockRuntimeClient bound to this server, on the SDK's default transport (h2c). */
  runtimeClient(overrides = {}) {
    return this.#track(runtimeClient(this.endpoint, overrides));
  }

  closeClients() {
    for (const c of this.#clients) c.destroy();
    this.#clients.clear();
  }

  #track(client) {
    this.#clients.add(client);
    return client;
  }
}

class ExternalServer extends ClientOwner {
  constructor(endpoint) {
    super();
    this.endpoint = endpoint.replace(/\/+$/, '');
    const url = new URL(this.endpoint);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.external = true;
    this.stdoutLines = [];
  }

  async stop() {
    this.closeClients();
    return { code: 0, signal: null };
  }

  async kill9() {
    throw new Error('kill9() needs a server this harness started (unset BP_ENDPOINT)');
  }

  async restart() {
    throw new Error('restart() needs a server this harness started (unset BP_ENDPOINT)');
  }

  stderrTail() {
    return '';
  }
}

class ServerProcess extends ClientOwner {
  #child = null;
  #exited = null; // Promise<{code, signal}> for the current child
  #stderr = '';
  #stderrLines = []; // every whole stderr line of the current process
  #stderrPartial = '';
  #stderrWaiters = [];

  constructor({ config, args = [], env = {} }) {
    super();
    this.binary = binaryPath();
    this.root = mkdtempSync(path.join(tmpdir(), 'bp-sdk-'));
    this.stateDir = path.join(this.root, 'state');
    this.config = config ? path.resolve(config) : undefined;
    // Proxy mode: the shipped config with its regions backed by the fakes (upstreams.mjs).
    if (!this.config && UPSTREAM) {
      this.config = shippedConfigWith(this.root, {
        regions: EU_REGIONS.map((r) => `  ${r} = { }`).join('\n'),
        routing: 'routing = { policy = "home-first", home_region = "eu-central-1", failure_threshold = 3, open_seconds = 30, max_attempts = 3 }',
      });
    }
    this.extraArgs = args;
    this.extraEnv = env;
    this.external = false;
    this.endpoint = undefined;
    this.host = undefined;
    this.port = undefined;
    this.stdoutLines = [];
  }

  get running() {
    return this.#child !== null;
  }

  get pid() {
    return this.#child?.pid;
  }

  /** Last 8 KiB of the server's stderr (its log), for failure messages. */
  stderrTail() {
    return this.#stderr;
  }

  /** Every whole stderr line of the current process so far (a copy). */
  stderrLines() {
    return [...this.#stderrLines];
  }

  /**
   * Resolves to the first stderr line (of the current process, whole lines, in order) for which
   * `predicate(line)` is true, waiting for it up to `timeoutMs`.
   */
  async waitForStderrLine(predicate, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (let seen = 0; ; ) {
      for (; seen < this.#stderrLines.length; seen += 1) {
        if (predicate(this.#stderrLines[seen])) return this.#stderrLines[seen];
      }
      if (Date.now() > deadline) throw new Error(`no such stderr line within ${timeoutMs} ms; tail:\n${this.#stderr}`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        this.#stderrWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async start() {
    assert.equal(this.#child, null, 'server already running');
    assert.ok(existsSync(this.root), 'server was stopped for good (stop() removes its state); use restart()');
    const args = ['serve', '--listen', '127.0.0.1:0', '--state', this.stateDir];
    if (this.config) args.push('--config', this.config);
    args.push(...this.extraArgs);
    // cwd is a fresh directory, so no stray ./bedrock-profiles.hcl changes the default config.
    // detached: its own process group, so signals reach wrapper scripts' children too.
    const child = spawn(this.binary, args, {
      cwd: this.root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...(UPSTREAM ? upstreamEnv() : {}), ...this.extraEnv },
    });
    this.#child = child;
    this.#stderr = '';
    this.stdoutLines = [];
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.#child === child) this.#child = null;
        resolve({ code, signal });
      });
    });
    child.once('error', () => {}); // spawn failures surface as 'exit' and in the wait below
    child.stderr.setEncoding('utf8');
    this.#stderrLines = [];
    this.#stderrPartial = '';
    child.stderr.on('data', (s) => {
      this.#stderr = (this.#stderr + s).slice(-8192);
      const parts = (this.#stderrPartial + s).split('\n');
      this.#stderrPartial = parts.pop();
      this.#stderrLines.push(...parts);
      for (const wake of this.#stderrWaiters.splice(0)) wake();
    });
    // Nothing of the child keeps the test process alive; the exit hook kills it.
    child.unref();
    child.stdout.unref();
    child.stderr.unref();

    const firstLine = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.#startError(`no listening line within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        this.stdoutLines.push(line);
        if (this.stdoutLines.length === 1) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      this.#exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(this.#startError(`exited before listening (code ${code}, signal ${signal})`));
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(this.#startError(`could not be started: ${e.message}`));
      });
    }).catch(async (e) => {
      await this.#killAndWait();
      throw e;
    });

    const m = LISTENING_RE.exec(firstLine);
    if (!m) {
      await this.#killAndWait();
      throw this.#startError(
        `first stdout line breaks the contract: expected "bedrock-profiles listening on http://HOST:PORT", got ${JSON.stringify(firstLine)}`,
      );
    }
    this.endpoint = m[1];
    this.host = m[2].replace(/^\[|\]$/g, '');
    this.port = Number(m[3]);
    return this;
  }

  /**
   * SIGTERM, then waits for the exit (SIGKILL after 10 s) and removes the temp dir: final, use
   * restart() to keep the state. Resolves to {code, signal}; the contract is code 0. Idempotent.
   */
  async stop() {
    this.closeClients();
    let result = { code: 0, signal: null };
    if (this.#child) {
      const exited = this.#exited;
      signalGroup(this.#child, 'SIGTERM');
      result = await withTimeout(exited, STOP_TIMEOUT_MS).catch(async () => {
        await this.#killAndWait();
        return { code: null, signal: 'SIGKILL', timedOut: true };
      });
    }
    this.#removeTempDir();
    return result;
  }

  /** kill -9 right now (synchronously sent), then waits for the exit. Keeps the state dir. */
  async kill9() {
    this.closeClients();
    assert.ok(this.#child, 'kill9(): server not running');
    await this.#killAndWait();
  }

  /** Stops the server if running (SIGTERM), then starts it again on the same --state dir. */
  async restart() {
    if (this.#child) {
      const r = await this.#terminate();
      assert.equal(r.code, 0, `SIGTERM before restart: expected exit 0, got ${JSON.stringify(r)}`);
    }
    live.add(this);
    return this.start();
  }

  // SIGTERM and wait, keeping the temp dir (stop() without the final cleanup).
  async #terminate() {
    this.closeClients();
    const exited = this.#exited;
    signalGroup(this.#child, 'SIGTERM');
    return withTimeout(exited, STOP_TIMEOUT_MS);
  }

  async #killAndWait() {
    const child = this.#child;
    if (!child) return;
    const exited = this.#exited;
    signalGroup(child, 'SIGKILL');
    await withTimeout(exited, STOP_TIMEOUT_MS);
  }

  /** Synchronous last-resort cleanup (process exit). */
  killNow() {
    if (this.#child) {
      signalGroup(this.#child, 'SIGKILL');
      this.#child = null;
    }
    this.#removeTempDir();
  }

  #removeTempDir() {
    if (this.#child) return; // still running: the exit hook will retry
    rmSync(this.root, { recursive: true, force: true });
    live.delete(this);
  }

  #startError(what) {
    const tail = this.#stderr.trim() ? `\n--- server stderr (tail) ---\n${this.#stderr.trim()}` : '';
    return new Error(`bedrock-profiles serve (${this.binary}) ${what}${tail}`);
  }
}

/** Signals the child's process group (the server plus anything a wrapper script started). */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function cleanupAll() {
  for (const s of [...live]) s.killNow();
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    cleanupAll();
    process.kill(process.pid, sig);
  });
}

// ---------------------------------------------------------------------------------------------
// Clients.

/** BedrockClient for `endpoint`: region eu-central-1, the platform-admin keys, one attempt. */
export function controlClient(endpoint, overrides = {}) {
  return new BedrockClient({
    endpoint,
    region: REGION,
    credentials: { ...ADMIN }, // a copy: the SDK annotates the object it is given
    maxAttempts: 1, // one request per call: retries would hide server faults
    ...overrides,
  });
}

/** BedrockRuntimeClient for `endpoint` with the SDK's default transport (HTTP/2, h2c). */
export function runtimeClient(endpoint, overrides = {}) {
  return new BedrockRuntimeClient({
    endpoint,
    region: REGION,
    credentials: { ...ADMIN },
    maxAttempts: 1,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Raw, SigV4-signed HTTP requests (for bad input the SDKs would never send).

class NodeSha256 {
  constructor(secret) {
    this.hash = secret ? createHmac('sha256', toBuffer(secret)) : createHash('sha256');
  }
  update(data) {
    this.hash.update(toBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * Signs a request the way the AWS SDK does (service `bedrock`, eu-central-1, admin keys) and
 * returns the headers to send. `rawPath` is the path exactly as it goes on the wire (already
 * percent-encoded), optionally with a query string. `hostHeader` names the header that carries
 * the authority: 'host' for HTTP/1.1, ':authority' for HTTP/2 (what the JS SDK signs there).
 */
/** The Anthropic Bedrock SDK bound to `server` (anything with `endpoint`), signing as ADMIN. */
export function anthropicClient(server, overrides = {}) {
  return new AnthropicBedrock({
    baseURL: server.endpoint,
    awsRegion: REGION,
    awsAccessKey: ADMIN.accessKeyId,
    awsSecretKey: ADMIN.secretAccessKey,
    maxRetries: 0,
    ...overrides,
  });
}

export async function signedHeaders({ method, rawPath, authority, headers = {}, body, hostHeader = 'host', credentials = ADMIN }) {
  const [pathname, search = ''] = rawPath.split(/\?(.*)/s);
  const query = {};
  for (const [k, v] of new URLSearchParams(search)) {
    query[k] = k in query ? [].concat(query[k], v) : v;
  }
  const signer = new SignatureV4({
    service: 'bedrock',
    region: REGION,
    credentials: { ...credentials },
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: true,
  });
  const [hostname, port] = authority.split(/:(?=\d+$)/);
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: pathname,
    query,
    headers: { ...headers, [hostHeader]: authority },
    body: body ?? undefined,
  });
  return signed.headers;
}

/**
 * One HTTP/1.1 request on a fresh connection. body: string | Buffer | undefined.
 * Resolves to {status, headers (lowercase names), text, json (undefined unless JSON)}.
 * Write errors after the response has arrived (the server may answer early and close, e.g. 413)
 * are ignored.
 */
export async function rawHttp(endpoint, { method = 'GET', path: rawPath, headers = {}, body, sign = true, timeoutMs = 20_000 }) {
  const url = new URL(endpoint);
  const authority = url.host;
  const bodyBuf = body === undefined ? undefined : toBuffer(body);
  let sendHeaders = { ...headers };
  if (bodyBuf && !Object.keys(sendHeaders).some((h) => h.toLowerCase() === 'content-type')) {
    sendHeaders['content-type'] = 'application/json';
  }
  if (sign) {
    sendHeaders = await signedHeaders({ method, rawPath, authority, headers: sendHeaders, body: bodyBuf });
  } else {
    sendHeaders.host = authority;
  }
  if (bodyBuf) sendHeaders['content-length'] = String(bodyBuf.length);

  return new Promise((resolve, reject) => {
    let responded = false;
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method,
      path: rawPath,
      headers: sendHeaders,
      agent: false,
      setHost: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`${method} ${rawPath}: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      responded = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy(); // the request body may be unfinished (early answer)
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, json: tryJson(text) });
      });
    });
    req.on('error', (e) => {
      if (responded) return;
      clearTimeout(timer);
      reject(new Error(`${method} ${rawPath}: ${e.message} (before any response)`, { cause: e }));
    });
    if (bodyBuf) {
      // Stop sending once an answer arrives (e.g. an early 413): less for the server to discard.
      writeInChunks(req, bodyBuf, () => responded);
    } else {
      req.end();
    }
  });
}

function writeInChunks(req, buf, stop, chunkSize = 1 << 20) {
  let off = 0;
  const pump = () => {
    while (off < buf.length) {
      if (req.destroyed || stop()) return;
      const chunk = buf.subarray(off, off + chunkSize);
      off += chunk.length;
      if (!req.write(chunk)) {
        req.once('drain', pump);
        return;
      }
    }
    req.end();
  };
  pump();
}

/**
 * One HTTP/2 (h2c, prior knowledge) request on a fresh session, signed over `:authority` like
 * the JS runtime client. Resolves to {status, headers, text, json}; the session is closed.
 */
export async function rawHttp2(endpoint, { method = 'GET', path: rawPath, headers = {}, body, timeoutMs = 20_000 }) {
  const authority = new URL(endpoint).host;
  const bodyBuf = body === undefined ? undefined : toBuffer(body);
  const signed = await signedHeaders({ method, rawPath, authority, headers, body: bodyBuf, hostHeader: ':authority' });
  const session = http2.connect(endpoint);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`h2 ${method} ${rawPath}: timed out`)), timeoutMs);
      session.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      const req = session.request({ ...signed, ':method': method, ':path': rawPath, ':authority': authority });
      let responseHeaders;
      const chunks = [];
      req.on('response', (h) => {
        responseHeaders = h;
      });
      req.on('data', (c) => chunks.push(c));
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.on('end', () => {
        clearTimeout(timer);
        if (!responseHeaders) {
          reject(new Error(`h2 ${method} ${rawPath}: stream ended without response headers`));
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: responseHeaders[':status'], headers: responseHeaders, text, json: tryJson(text) });
      });
      req.end(bodyBuf);
    });
  } finally {
    session.close();
  }
}

function tryJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Assertions.

/** Cuts `ValidationException:http://…` / `ns#ValidationException` down to the code (as the SDK does). */
export function errorCode(errorTypeHeader) {
  let code = String(errorTypeHeader ?? '');
  code = code.split(/[:,]/)[0];
  if (code.includes('#')) code = code.slice(code.indexOf('#') + 1);
  return code.trim();
}

/**
 * Asserts a raw answer is a well-formed Bedrock error: the status, JSON content type,
 * x-amzn-ErrorType (its code one of `codes`), x-amzn-RequestId and a non-empty string
 * `message`. Returns {code, message}.
 */
export function assertRawError(res, { status, codes, message }) {
  const where = `answer ${res.status} ${JSON.stringify(res.text.slice(0, 300))}`;
  if (status !== undefined) assert.equal(res.status, status, where);
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/json\b/, `content-type; ${where}`);
  assert.ok(res.headers['x-amzn-requestid'], `x-amzn-RequestId missing; ${where}`);
  const code = errorCode(res.headers['x-amzn-errortype']);
  assert.ok(code, `x-amzn-ErrorType missing; ${where}`);
  if (codes) assert.ok([].concat(codes).includes(code), `error type ${code}, want one of ${codes}; ${where}`);
  assert.equal(typeof res.json?.message, 'string', `body needs a string "message"; ${where}`);
  assert.ok(res.json.message.length > 0, `empty message; ${where}`);
  if (message) assert.match(res.json.message, message, where);
  return { code, message: res.json.message };
}

/** HTTP status per error shape (spec/bedrock-api.md §1.5, spec/auth.md §5). */
export const ERROR_STATUS = Object.freeze({
  ValidationException: 400,
  ConflictException: 400,
  ServiceQuotaExceededException: 400,
  TooManyTagsException: 400,
  ResourceInUseException: 400,
  IncompleteSignatureException: 400,
  AccessDeniedException: 403,
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ResourceNotFoundException: 404,
  UnknownOperationException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  NotImplementedException: 501,
  ServiceUnavailableException: 503,
});

/**
 * Awaits `promise` and asserts it fails with the service error `name` (one name or a list of
 * acceptable ones), with the HTTP status of that shape (ERROR_STATUS; `status` overrides), a
 * message (matching `message` if given) and a request id. Returns the error.
 */
export async function expectServiceError(promise, { name, status, message }) {
  let out;
  try {
    out = await promise;
  } catch (e) {
    const desc = `${e.name}: ${e.message} (status ${e.$metadata?.httpStatusCode})`;
    if (Array.isArray(name)) assert.ok(name.includes(e.name), `want one of ${name}, got ${desc}`);
    else assert.equal(e.name, name, `want ${name}, got ${desc}`);
    const wantStatus = status ?? ERROR_STATUS[e.name];
    if (wantStatus !== undefined) assert.equal(e.$metadata?.httpStatusCode, wantStatus, `status of ${desc}`);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0 && e.message !== 'UnknownError', `error needs a body "message": ${desc}`);
    assert.ok(e.$metadata?.requestId, `x-amzn-RequestId missing on ${desc}`);
    if (message) assert.match(e.message, message, desc);
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded: ${JSON.stringify(out)}`);
}

/** Asserts an SDK output carries its HTTP status and a request id. */
export function assertMeta(out, status = 200) {
  assert.equal(out.$metadata.httpStatusCode, status);
  assert.equal(typeof out.$metadata.requestId, 'string');
  assert.ok(out.$metadata.requestId.length > 0, 'x-amzn-RequestId missing');
}

/** [{key, value}] -> {key: value}; asserts keys are unique. */
export function tagMap(tags) {
  const m = {};
  for (const { key, value } of tags ?? []) {
    assert.ok(!(key in m), `duplicate tag key ${key}`);
    m[key] = value;
  }
  return m;
}

/** {key: value} -> [{key, value}] */
export const tagList = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value }));

/** Drains an SDK paginator into [pages]; fails fast on a repeated nextToken (which would loop). */
export async function collectPages(paginator, maxPages = 500) {
  const pages = [];
  const tokens = new Set();
  for await (const page of paginator) {
    pages.push(page);
    if (page.nextToken) {
      assert.ok(!tokens.has(page.nextToken), `nextToken ${JSON.stringify(page.nextToken)} repeated on page ${pages.length}`);
      tokens.add(page.nextToken);
    }
    assert.ok(pages.length <= maxPages, `more than ${maxPages} pages`);
  }
  return pages;
}

/** A short random tag for names that must not collide with an earlier run on a shared server. */
export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** Asserts `d` is a valid Date within `slackMs` of now. */
export function assertRecentDate(d, what, slackMs = 10 * 60_000) {
  assert.ok(d instanceof Date && !Number.isNaN(d.getTime()), `${what} must parse as a Date, got ${d}`);
  assert.ok(Math.abs(d.getTime() - Date.now()) < slackMs, `${what} ${d.toISOString()} is not near now`);
}
