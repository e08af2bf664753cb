// Randomized differential test of the IAM evaluator (README.md). Generates cases with a
// fixed seed, decides them with `bedrock-profiles simulate --cases DIR --json` (the
// user-facing command) and with @cloud-copilot/iam-simulate, and prints every
// disagreement with its case. Ends with "N passed, M failed"; exit 1 on any failure.
//
//   node diff.mjs [--count N] [--seed S] [--keep DIR]      (BP_BINARY: the executable)
//   node diff.mjs --cases DIR                              (existing case files instead)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCase, makeRandom, ACCOUNT } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function checkInstall() {
  const { dependencies } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
  for (const [name, want] of Object.entries(dependencies)) {
    let version = null;
    try {
      ({ version } = JSON.parse(readFileSync(path.join(here, 'node_modules', name, 'package.json'), 'utf8')));
    } catch {}
    if (version !== want) {
      console.error(`tests/iam-diff: ${name} ${version ?? 'not installed'}, ${want} pinned.`);
      console.error('Run scripts/setup from the repository root (it runs `npm ci` in tests/iam-diff).');
      process.exit(1);
    }
  }
}

function parseArgs(argv) {
  const args = { count: 2500, seed: 20261202, keep: null, cases: null };
  for (let i = 0; i < argv.length; ++i) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--count') args.count = Number(value);
    else if (flag === '--seed') args.seed = Number(value);
    else if (flag === '--keep') args.keep = value;
    else if (flag === '--cases') args.cases = value;
    else throw new Error(`unknown argument ${flag}`);
    ++i;
  }
  return args;
}

// ---- The documented differences between AWS's documentation and the simulator ----
//
// A variable is unresolved when its key is absent from the context (or list-valued) and it
// has no default. Where the documentation and the simulator disagree about such a value,
// the evaluator follows the documentation in a Deny (docs/auth.md); the simulator's copy of
// the case is rewritten into the documentation's meaning, "a null value that equals
// nothing", so that both deciders are asked the same question:
//   - a NotResource entry of a Deny with an unresolved variable becomes an ARN that names
//     no resource (the documentation: it "will not match any resource");
//   - a value of a negated operator in a Deny with an unresolved variable becomes text no
//     request value equals (the documentation: negated operators "do match against a null
//     value").

const NEVER_ARN = `arn:aws:bedrock:xx-none-1:${ACCOUNT}:application-inference-profile/unresolved-variable`;
const NEVER_TEXT = 'unresolved-variable-matches-nothing';
const NEVER_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/unresolved-variable`;

function contextLookup(context) {
  const lowered = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return (key) => lowered.get(key.toLowerCase());
}

function hasUnresolvedVariable(text, lookup) {
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const inner = match[1];
    if (inner === '*' || inner === '?' || inner === '$') continue;
    if (inner.includes(',')) continue; // has a default
    const value = lookup(inner.trim());
    if (typeof value !== 'string') return true;
  }
  return false;
}

const isNegated = (operator) => operator.replace(/^ForA(ny|ll)Values?:/, '').includes('Not');
const asList = (v) => (Array.isArray(v) ? v : [v]);

export function simulatorView(c) {
  const lookup = contextLookup(c.request.context ?? {});
  const copy = structuredClone(c);
  let rewritten = false;
  for (const policy of copy.policies) {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    for (const st of statements) {
      if (st.Effect !== 'Deny') continue;
      if (st.NotResource !== undefined) {
        const entries = asList(st.NotResource).map((e) => {
          if (!hasUnresolvedVariable(e, lookup)) return e;
          rewritten = true;
          return NEVER_ARN;
        });
        st.NotResource = entries;
      }
      for (const [operator, keys] of Object.entries(st.Condition ?? {})) {
        if (!isNegated(operator)) continue;
        for (const [key, values] of Object.entries(keys)) {
          keys[key] = asList(values).map((v) => {
            if (typeof v !== 'string' || !hasUnresolvedVariable(v, lookup)) return v;
            rewritten = true;
            return operator.includes('Arn') ? NEVER_PRINCIPAL : NEVER_TEXT;
          });
        }
      }
    }
  }
  // Not about variables: AWS documents `...IfExists` as true for an absent key, also under
  // ForAnyValue: (golden case 020); the simulator answers false. With the key absent,
  // ForAllValues: with the same operator is true in both, so it stands in for it.
  for (const policy of copy.policies) {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    for (const st of statements) {
      const block = st.Condition ?? {};
      for (const operator of Object.keys(block)) {
        if (!operator.startsWith('ForAnyValue:') || !operator.endsWith('IfExists')) continue;
        for (const key of Object.keys(block[operator])) {
          if (lookup(key) !== undefined) continue;
          const standIn = operator.replace('ForAnyValue:', 'ForAllValues:');
          block[standIn] = { ...(block[standIn] ?? {}), [key]: block[operator][key] };
          delete block[operator][key];
          rewritten = true;
        }
        if (Object.keys(block[operator]).length === 0) delete block[operator];
      }
    }
  }
  return { view: copy, rewritten };
}

// ---- The simulator ----

const ORACLE_DECISION = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny',
};

async function oracle(runSimulation, c) {
  const context = { ...(c.request.context ?? {}) };
  if (!Object.keys(context).some((k) => k.toLowerCase() === 'aws:principalarn')) {
    context['aws:PrincipalArn'] = c.request.principal;
  }
  const result = await runSimulation(
    {
      request: {
        principal: c.request.principal,
        action: c.request.action,
        resource: { resource: c.request.resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: c.policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') return { error: JSON.stringify(result.errors) };
  if (result.resultType !== 'single') return { error: `unexpected result type ${result.resultType}` };
  // Every key must reach the simulator as given: a dropped key would make it decide
  // another request than the file describes.
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) return { error: `simulator ignored context keys ${ignored.join(', ')}` };
  return { decision: ORACLE_DECISION[result.overallResult] ?? result.overallResult };
}

// ---- The project's evaluator, through the CLI ----

function project(binary, dir) {
  let out;
  try {
    out = execFileSync(binary, ['simulate', '--cases', dir, '--json'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (e) {
    // Exit 1 (some file not decided) still prints a line per file.
    if (typeof e.stdout !== 'string') throw e;
    out = e.stdout;
  }
  const byFile = new Map();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const item = JSON.parse(line);
    byFile.set(path.basename(item.file), item);
  }
  return byFile;
}

async function main() {
  checkInstall();
  const args = parseArgs(process.argv.slice(2));
  const binary = process.env.BP_BINARY;
  if (!binary) {
    console.error('set BP_BINARY to the bedrock-profiles executable');
    process.exit(1);
  }
  const { runSimulation } = await import('@cloud-copilot/iam-simulate');

  let dir = args.cases;
  let cleanup = null;
  if (!dir) {
    dir = args.keep ?? mkdtempSync(path.join(os.tmpdir(), 'bp-iam-diff-'));
    mkdirSync(dir, { recursive: true });
    if (!args.keep) cleanup = dir;
    const r = makeRandom(args.seed);
    const width = String(args.count).length;
    for (let i = 0; i < args.count; ++i) {
      const name = `${String(i).padStart(width, '0')}.json`;
      writeFileSync(path.join(dir, name), JSON.stringify(generateCase(r), null, 2) + '\n');
    }
  }

  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const ours = project(binary, dir);
  let passed = 0;
  let failed = 0;
  let rewrittenCount = 0;
  const tally = {};
  for (const file of files) {
    const c = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if (c.invalid || c.oracle_disagrees) continue; // parse-error cases; shared case 76
    const { view, rewritten } = simulatorView(c);
    if (rewritten) ++rewrittenCount;
    const theirs = await oracle(runSimulation, view);
    const mine = ours.get(file);
    let problem = null;
    if (!mine) problem = 'the CLI printed no line for this file';
    else if (mine.error) problem = `the CLI refused it: ${mine.error}`;
    else if (theirs.error) problem = `the simulator refused it: ${theirs.error}`;
    else if (mine.decision !== theirs.decision) {
      problem = `bedrock-profiles: ${mine.decision} (${mine.explanation}); simulator: ${theirs.decision}`;
    }
    if (problem) {
      ++failed;
      console.log(`DISAGREE ${file}: ${problem}`);
      console.log(JSON.stringify(c, null, 2));
      if (rewritten) console.log(`simulator was asked:\n${JSON.stringify(view, null, 2)}`);
    } else {
      ++passed;
      tally[mine.decision] = (tally[mine.decision] ?? 0) + 1;
    }
  }
  if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  console.log(`decisions: ${JSON.stringify(tally)}; ${rewrittenCount} cases rewritten for the ` +
    'documented differences (docs/auth.md)');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
