// Builds the dashboard into exactly three files, index.html, app.js and app.css, which the C++
// build embeds into `serve` (ui/CMakeLists.txt, docs/dashboard.md):
//   node ui/build.mjs --out DIR [--depfile FILE]
// --depfile writes every file the bundles read (sources and packages) as a Make/Ninja depfile,
// so CMake's custom command reruns exactly when one of them changes.
// app.js bundles src/main.ts with uPlot (an IIFE: no module loading, no eval); app.css bundles
// uPlot's stylesheet with src/app.css. The output depends only on the sources and the locked
// packages (no timestamps, no source maps), so an unchanged input embeds the same bytes.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  console.error(`build.mjs: ${message}\nusage: node ui/build.mjs --out DIR [--depfile FILE]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const opts = { out: null, depfile: null };
for (let i = 0; i < args.length; i += 1) {
  const m = /^--(out|depfile)(?:=(.*))?$/.exec(args[i]);
  if (!m) usage(`unknown argument ${JSON.stringify(args[i])}`);
  const value = m[2] ?? args[(i += 1)];
  if (value === undefined || value === '') usage(`--${m[1]} needs a value`);
  opts[m[1]] = path.resolve(value);
}
if (!opts.out) usage('--out DIR is required');
const out = opts.out;

// node_modules must hold what package.json pins (a pull may have moved a pin since the last
// `npm ci`): a stale esbuild or uPlot would build something else than the lock says.
const pinned = JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8')).devDependencies;
const stale = [];
for (const [name, want] of Object.entries(pinned)) {
  try {
    const { version } = JSON.parse(await readFile(path.join(here, 'node_modules', name, 'package.json'), 'utf8'));
    if (version !== want) stale.push(`${name} ${version} installed, ${want} pinned`);
  } catch {
    stale.push(`${name} not installed`);
  }
}
if (stale.length) {
  console.error(`build.mjs: ui/node_modules is missing or stale (${stale.join('; ')}); run scripts/setup (it runs \`npm ci\` in ui/)`);
  process.exit(1);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (cause) {
  console.error(`build.mjs: esbuild is not installed in ${path.join(here, 'node_modules')}; run scripts/setup (it runs \`npm ci\` in ui/)`);
  console.error(String(cause));
  process.exit(1);
}

// uPlot's copyright notice travels with the code (MIT); its own header is not a legal comment.
const uplot = JSON.parse(await readFile(path.join(here, 'node_modules/uplot/package.json'), 'utf8'));
const notice = (await readFile(path.join(here, 'node_modules/uplot/LICENSE'), 'utf8'))
  .split('\n')
  .find((l) => l.startsWith('Copyright'));
const banner = `/*! bedrock-profiles dashboard. Bundles uPlot ${uplot.version}, ${notice}, MIT License. */`;

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'eof',
  charset: 'ascii',
  logLevel: 'warning',
  write: true,
  metafile: true,
};

await mkdir(out, { recursive: true });
const inputs = new Set(['build.mjs', 'package.json', 'package-lock.json', 'src/index.html']);
try {
  const js = await esbuild.build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile: path.join(out, 'app.js'),
    format: 'iife',
    platform: 'browser',
    banner: { js: banner },
  });
  const css = await esbuild.build({
    ...common,
    entryPoints: ['src/app.css'],
    outfile: path.join(out, 'app.css'),
    banner: { css: banner },
  });
  for (const r of [js, css]) for (const f of Object.keys(r.metafile.inputs)) inputs.add(f);
} catch {
  // esbuild has printed the errors with their file:line.
  process.exit(1);
}
await copyFile(path.join(here, 'src/index.html'), path.join(out, 'index.html'));
if (opts.depfile) {
  // One target (Ninja reads one per depfile); CMake's other outputs come from the same command.
  const esc = (f) => path.resolve(here, f).replace(/([ #$])/g, '\\$1');
  const deps = [...inputs].sort().map(esc);
  await writeFile(opts.depfile, `${esc(path.join(out, 'app.js'))}: \\\n  ${deps.join(' \\\n  ')}\n`);
}
console.log(`build.mjs: wrote index.html, app.js, app.css to ${out}`);
