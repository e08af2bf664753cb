// Exits 1 with a hint when an npm test package's node_modules does not hold exactly the
// versions its package.json pins (run by ctest before a Node suite; no dependencies of its
// own). Usage: node ../check-install.mjs (from the package's folder: tests/sdk, tests/ui).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(process.argv[2] ?? process.cwd());
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = path.relative(root, dir) || dir;
const { dependencies = {} } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const problems = [];
for (const [pkg, want] of Object.entries(dependencies)) {
  try {
    const { version } = JSON.parse(readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf8'));
    if (version !== want) problems.push(`${pkg} ${version} installed, ${want} pinned`);
  } catch {
    problems.push(`${pkg} not installed`);
  }
}
if (problems.length) {
  console.error(`${name}: npm packages missing or stale (${problems.join('; ')}).`);
  console.error(`Run scripts/setup from the repository root (it runs \`npm ci\` in ${name}).`);
  process.exit(1);
}
