// Starts `bedrock-profiles serve` for the browser test, the way tests/sdk/harness.mjs does (in
// brief): the binary from $BP_BINARY (else ../../build/bedrock-profiles), the shipped default
// config (a fresh cwd, so no stray ./bedrock-profiles.hcl), a loopback port chosen by the
// kernel, a fresh temp state dir; the endpoint comes from the first stdout line,
// `bedrock-profiles listening on http://HOST:PORT`. stop() sends SIGTERM and removes the dir;
// a process 'exit' hook kills whatever is left.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = Number(process.env.BP_START_TIMEOUT_MS || 30_000);
const LISTENING_RE = /^bedrock-profiles listening on (http:\/\/\S+)$/;
const live = new Set();

process.on('exit', () => {
  for (const s of live) s.killNow();
});

export async function startServer() {
  const binary = process.env.BP_BINARY || path.resolve(HERE, '../../build/bedrock-profiles');
  if (!existsSync(binary)) throw new Error(`bedrock-profiles not found at ${binary}: build it or set BP_BINARY`);
  const server = new Server(binary);
  live.add(server);
  await server.start();
  return server;
}

class Server {
  #child = null;
  #exited = null;
  #stderr = '';

  constructor(binary) {
    this.binary = binary;
    this.root = mkdtempSync(path.join(tmpdir(), 'bp-ui-'));
    this.endpoint = undefined;
  }

  /** Last 8 KiB of the server's log, for failure messages. */
  stderrTail() {
    return this.#stderr;
  }

  async start() {
    const args = ['serve', '--listen', '127.0.0.1:0', '--state', path.join(this.root, 'state')];
    const child = spawn(this.binary, args, { cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.#child = null;
      resolve({ code, signal });
    }));
    child.once('error', () => {});
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      this.#stderr = (this.#stderr + s).slice(-8192);
    });
    child.unref();
    const line = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.#error(`no listening line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      createInterface({ input: child.stdout }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
      this.#exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(this.#error(`exited before listening (code ${code}, signal ${signal})`));
      });
    });
    const m = LISTENING_RE.exec(line);
    if (!m) throw this.#error(`unexpected first stdout line ${JSON.stringify(line)}`);
    this.endpoint = m[1];
  }

  /** SIGTERM, waits (SIGKILL after 10 s), removes the state. Resolves to {code, signal}. */
  async stop() {
    let result = { code: 0, signal: null };
    if (this.#child) {
      const exited = this.#exited;
      this.#signal('SIGTERM');
      const timer = setTimeout(() => this.#signal('SIGKILL'), 10_000);
      result = await exited;
      clearTimeout(timer);
    }
    rmSync(this.root, { recursive: true, force: true });
    live.delete(this);
    return result;
  }

  killNow() {
    if (this.#child) this.#signal('SIGKILL');
    rmSync(this.root, { recursive: true, force: true });
  }

  #signal(sig) {
    try {
      process.kill(-this.#child.pid, sig);
    } catch {
      // already gone
    }
  }

  #error(what) {
    const tail = this.#stderr.trim() ? `\n--- server stderr (tail) ---\n${this.#stderr.trim()}` : '';
    return new Error(`bedrock-profiles serve (${this.binary}) ${what}${tail}`);
  }
}
