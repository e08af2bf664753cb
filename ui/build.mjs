// Builds the dashboard into exactly three files, index.html, app.js and app.css, which the C++
// build embeds into `serve` (ui/CMakeLists.txt, docs/dashboard.md):
//   node ui/build.mjs --out DIR
// app.js bundles src/main.ts with uPlot (an IIFE: no module loading, no eval); app.css bundles
// uPlot's stylesheet with src/app.css. The output depends only on the sources and the locked
// packages (no timestamps, no source maps), so an unchanged input embeds the same bytes.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  console.error(`build.mjs: ${message}\nusage: node ui/build.mjs --out DIR`);
  process.exit(2);
}

const args = process.argv.slice(2);
let out = null;
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--out' && i + 1 < args.length) out = args[(i += 1)];
  else if (args[i].startsWith('--out=')) out = args[i].slice('--out='.length);
  else usage(`unknown argument ${JSON.stringify(args[i])}`);
}
if (!out) usage('--out DIR is required');
out = path.resolve(out);

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
};

await mkdir(out, { recursive: true });
try {
  await esbuild.build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile: path.join(out, 'app.js'),
    format: 'iife',
    platform: 'browser',
    banner: { js: banner },
  });
  await esbuild.build({
    ...common,
    entryPoints: ['src/app.css'],
    outfile: path.join(out, 'app.css'),
    banner: { css: banner },
  });
} catch {
  // esbuild has printed the errors with their file:line.
  process.exit(1);
}
await copyFile(path.join(here, 'src/index.html'), path.join(out, 'index.html'));
console.log(`build.mjs: wrote index.html, app.js, app.css to ${out}`);
