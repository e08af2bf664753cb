// Exits 1 with a hint when tests/ui/node_modules does not hold exactly the versions that
// package.json pins (run before the suite by ctest; no dependencies of its own).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { dependencies = {} } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const problems = [];
for (const [name, want] of Object.entries(dependencies)) {
  try {
    const { version } = JSON.parse(readFileSync(path.join(here, 'node_modules', name, 'package.json'), 'utf8'));
    if (version !== want) problems.push(`${name} ${version} installed, ${want} pinned`);
  } catch {
    problems.push(`${name} not installed`);
  }
}
if (problems.length) {
  console.error(`tests/ui: npm packages missing or stale (${problems.join('; ')}).`);
  console.error('Run scripts/setup from the repository root (it runs `npm ci` in tests/ui).');
  process.exit(1);
}
