// The usage ledger across kill -9 (issue 15, Tests; docs/metering.md "The ledger"): a workload of
// Converse and ConverseStream calls through the official runtime client, each call's request id
// and acknowledgement time recorded; `kill -9` of serve in the middle of it; serve restarted on
// the same state dir (it must start). Then every call acknowledged more than one batch interval
// (the writer's flush interval, 1 s by default) before the kill is in the ledger exactly once, no
// request id is there twice, the file passes SQLite's integrity check, and the restarted server
// meters new calls. Two rounds, so the second kill hits a ledger that already survived one.
//
// The ledger is read with Debian's sqlite3 CLI (read-only, while serve runs: WAL readers do not
// block the writer). Timing: the bound checked is the documented one plus a margin for the
// commit itself and scheduling on a loaded machine; the test waits for conditions (enough calls
// acknowledged early enough, a record appearing), never for a fixed time.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { EU_REGIONS, EXTERNAL, SEED, shippedConfigWith, startServer } from './harness.mjs';

const SQLITE3 = process.env.BP_SQLITE3 || 'sqlite3';
const BATCH_INTERVAL_MS = 1000; // LedgerOptions::flush_interval's default, the documented bound
const MARGIN_MS = 1500; // the batch's commit and scheduling delays on a busy machine
const WORKERS = 4;
const MIN_CHECKED = 20; // calls acknowledged early enough that each round must check
const ROUNDS = 2;

/** Rows of `sql` on the ledger of `stateDir`, as objects (sqlite3 -json). */
function query(stateDir, sql) {
  const run = spawnSync(SQLITE3, ['-readonly', '-json', path.join(stateDir, 'usage.db'), sql], { encoding: 'utf8' });
  if (run.error?.code === 'ENOENT') assert.fail(`${SQLITE3} not found: install Debian's sqlite3 package (run scripts/setup)`);
  assert.ifError(run.error);
  assert.equal(run.status, 0, `sqlite3 failed: ${run.stderr}`);
  return run.stdout.trim() ? JSON.parse(run.stdout) : [];
}

/** request_id -> number of ledger records. */
function ledgerCounts(stateDir) {
  const counts = new Map();
  for (const row of query(stateDir, 'SELECT request_id, COUNT(*) AS n FROM usage_records GROUP BY request_id')) {
    counts.set(row.request_id, row.n);
  }
  return counts;
}

const say = (text) => [{ role: 'user', content: [{ text: `Say: ${text}` }] }];

/**
 * Runs WORKERS loops of alternating Converse / ConverseStream calls until stop() is called.
 * acked: [{id, at}] with `at` the Date.now() when the call's answer was complete.
 */
function workload(client) {
  const acked = [];
  let stopping = false;
  let wake = () => {};
  const loop = async (w) => {
    for (let i = 0; !stopping; i++) {
      try {
        if (i % 2 === 0) {
          const out = await client.send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say(`w${w} call ${i}`), inferenceConfig: { maxTokens: 20 } }));
          acked.push({ id: out.$metadata.requestId, at: Date.now() });
        } else {
          const out = await client.send(new ConverseStreamCommand({ modelId: SEED.haiku.arn, messages: say(`w${w} stream ${i}`), inferenceConfig: { maxTokens: 20 } }));
          let finished = false;
          for await (const event of out.stream) if (event.metadata) finished = true;
          assert.ok(finished, 'the stream ended with its metadata event');
          acked.push({ id: out.$metadata.requestId, at: Date.now() });
        }
      } catch (e) {
        if (!stopping) throw e; // before the kill every call must succeed
      }
      wake();
    }
  };
  const done = Promise.all(Array.from({ length: WORKERS }, (_, w) => loop(w)));
  return {
    acked,
    /** Resolves once `predicate(acked)` holds (checked after every acknowledgement). */
    until: async (predicate) => {
      while (!predicate(acked)) {
        await Promise.race([new Promise((r) => (wake = r)), done]);
      }
    },
    stop: () => {
      stopping = true;
    },
    done,
  };
}

describe('the usage ledger across kill -9', { skip: EXTERNAL && 'needs a server the harness can kill (unset BP_ENDPOINT)' }, () => {
  let server;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bp-ledger-kill-'));
    const regions = EU_REGIONS.map((r) => `  ${r} = { simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 } }`).join('\n');
    server = await startServer({ config: shippedConfigWith(dir, { regions }) });
  });
  after(async () => {
    if (server) {
      const exit = await server.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, 'SIGTERM must drain and exit 0');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`${ROUNDS} rounds: workload, kill -9, restart; every call acknowledged > ${BATCH_INTERVAL_MS} ms before the kill is there once`, { timeout: 120_000 }, async () => {
    const everAcked = new Set();
    for (let round = 0; round < ROUNDS; round++) {
      const run = workload(server.runtimeClient());
      // Long enough that MIN_CHECKED calls fall before the bound, and calls keep coming after it.
      await run.until((acked) => acked.length > 0 && acked.filter((a) => a.at < Date.now() - BATCH_INTERVAL_MS - MARGIN_MS - 500).length >= MIN_CHECKED);
      // The writer commits every interval from its start, and the workload's pace is steady: a
      // random extra stretch puts the kill anywhere in a batch's cycle, not always at one phase.
      const jitter = Math.floor(Math.random() * BATCH_INTERVAL_MS);
      const killAfter = Date.now() + jitter;
      await run.until(() => Date.now() >= killAfter);
      const killedAt = Date.now();
      run.stop(); // from here on a failed call is the kill's doing
      await server.kill9(); // closes the clients, then SIGKILL, then waits for the exit
      await run.done;

      const acked = run.acked;
      const checked = acked.filter((a) => a.at < killedAt - BATCH_INTERVAL_MS - MARGIN_MS);
      const recent = acked.filter((a) => a.at >= killedAt - BATCH_INTERVAL_MS - MARGIN_MS);
      assert.ok(checked.length >= MIN_CHECKED, `round ${round}: ${checked.length} calls to check`);
      assert.ok(recent.length > 0, `round ${round}: the kill came mid-workload (calls acknowledged in its last ${BATCH_INTERVAL_MS + MARGIN_MS} ms)`);
      assert.equal(new Set(acked.map((a) => a.id)).size, acked.length, 'request ids are unique');
      for (const a of acked) {
        assert.ok(!everAcked.has(a.id), `request id ${a.id} reused across rounds`);
        everAcked.add(a.id);
      }

      await server.restart(); // must start on the killed state dir
      const counts = ledgerCounts(server.stateDir);
      const missing = checked.filter((a) => counts.get(a.id) !== 1);
      assert.deepEqual(
        missing.map((a) => ({ id: a.id, ackedMsBeforeKill: killedAt - a.at, records: counts.get(a.id) ?? 0 })),
        [],
        `round ${round}: acknowledged calls missing from (or duplicated in) the ledger`,
      );
      const twice = [...counts].filter(([, n]) => n !== 1);
      assert.deepEqual(twice, [], 'no request id is in the ledger twice');
      for (const a of recent) assert.ok((counts.get(a.id) ?? 0) <= 1, `${a.id} at most once`);
      assert.deepEqual(query(server.stateDir, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
      // What the kill cost, for the log: records of the last interval may be lost, no more.
      const lost = acked.filter((a) => !counts.has(a.id));
      const lostEarliest = lost.length ? killedAt - Math.min(...lost.map((a) => a.at)) : 0;
      console.log(
        `round ${round} (kill delayed ${jitter} ms): ${acked.length} acknowledged, ${checked.length} checked, ${lost.length} lost ` +
          `(acknowledged at most ${lostEarliest} ms before the kill)`,
      );

      // The restarted server meters: a new call reaches the ledger within the batch interval.
      const next = await server.runtimeClient().send(new ConverseCommand({ modelId: SEED.haiku.arn, messages: say(`after round ${round}`) }));
      const id = next.$metadata.requestId;
      const deadline = Date.now() + 10 * BATCH_INTERVAL_MS;
      while (!ledgerCounts(server.stateDir).has(id)) {
        assert.ok(Date.now() < deadline, `the call after the restart (${id}) never reached the ledger`);
        await new Promise((r) => setTimeout(r, 100));
      }
      everAcked.add(id);
    }
  });
});
