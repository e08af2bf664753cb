// The dashboard (docs/dashboard.md) end to end: the real binary with the shipped default config,
// Debian's Chromium driven by puppeteer-core, calls made with the official AWS SDK.
//
// platform-admin signs in and sees the seed profiles; rd-e2e's Converse calls show up on Usage
// (by the 5 s refresh, no reload), Requests and Health; Access explains a denied call; rd-e2e,
// in a fresh incognito context, sees only its own usage and is refused the admin pages. Every
// page is loaded under `Content-Security-Policy: default-src 'self'` (added by the test if the
// server sends none), and any CSP violation or uncaught error in the page fails the run.
// Screenshots of every page go to $BP_SCREENSHOT_DIR (default: ./screenshots).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from './server.mjs';

// Hermetic SDK: no bearer token or shared config from the environment.
delete process.env.AWS_BEARER_TOKEN_BEDROCK;
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const missing = (cause) => {
  throw new Error('tests/ui: the npm packages are not installed; run scripts/setup (it runs `npm ci` in tests/ui)', { cause });
};
const { default: puppeteer } = await import('puppeteer-core').catch(missing);
const { BedrockRuntimeClient, ConverseCommand } = await import('@aws-sdk/client-bedrock-runtime').catch(missing);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.BP_CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(process.env.BP_SCREENSHOT_DIR || path.join(HERE, 'screenshots'));
const CSP = "default-src 'self'";
// The page refreshes every 5 s; a change must show within two periods and some slack.
const LIVE_TIMEOUT_MS = 20_000;

const ADMIN = { accessKeyId: 'AKIABPLOCALADMIN0001', secretAccessKey: 'bpLocalAdminSecretKeyDoNotUseOutsideDev1' };
const RD_E2E = { accessKeyId: 'AKIABPLOCALRDE2E0001', secretAccessKey: 'bpLocalRdE2eSecretKeyDoNotUseOutsideDev1' };
const SEED_PROFILES = ['rd-haiku-45', 'rd-sonnet-4'];

let server;
let browser;
let admin; // { context, page } signed in as platform-admin
const arns = {}; // profile name -> ARN, from GET /ui/api/profiles
const problems = []; // CSP violations and uncaught errors in any page
const rdCalls = []; // profiles rd-e2e called

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: run scripts/setup (it installs Debian's chromium)`);
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-dev-shm-usage', '--lang=en-US'],
  });
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r) assert.equal(r.code, 0, `serve exited with ${JSON.stringify(r)}\n${server.stderrTail()}`);
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** A page in a new incognito context, its document served under the dashboard's CSP. */
async function newPage() {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /CSP violation|Content Security Policy|Refused to/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  await enforceCsp(page);
  return { context, page };
}

/** Adds `default-src 'self'` to the /ui/ document's headers (the server's own CSP stays too). */
async function enforceCsp(page) {
  const cdp = await page.createCDPSession();
  cdp.on('Fetch.requestPaused', async (e) => {
    try {
      const { body, base64Encoded } = await cdp.send('Fetch.getResponseBody', { requestId: e.requestId });
      await cdp.send('Fetch.fulfillRequest', {
        requestId: e.requestId,
        responseCode: e.responseStatusCode,
        responseHeaders: [...(e.responseHeaders ?? []), { name: 'Content-Security-Policy', value: CSP }],
        body: base64Encoded ? body : Buffer.from(body).toString('base64'),
      });
    } catch {
      await cdp.send('Fetch.continueRequest', { requestId: e.requestId }).catch(() => {});
    }
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/ui/', requestStage: 'Response' }] });
}

async function screenshot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

async function signIn(page, creds) {
  await page.goto(`${server.endpoint}/ui/`);
  await page.waitForSelector('[data-testid=signin-form]');
  await page.type('#signin-access-key-id', creds.accessKeyId);
  await page.type('#signin-secret', creds.secretAccessKey);
  await page.click('#signin-submit');
}

/** Goes to a page by its hash, as a click on the nav would (no reload). */
async function go(page, hash) {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

/** The text of the error box once it shows. */
async function errorBoxText(page) {
  await page.waitForSelector('[data-testid=error-box]:not([hidden])');
  return page.$eval('[data-testid=error-box]', (el) => el.textContent);
}

async function figure(page, testid) {
  return page.$eval(`[data-testid=${testid}]`, (el) => Number(el.dataset.value));
}

async function converse(creds, profile) {
  const client = new BedrockRuntimeClient({ endpoint: server.endpoint, region: 'eu-central-1', credentials: { ...creds }, maxAttempts: 1 });
  try {
    const out = await client.send(new ConverseCommand({
      modelId: arns[profile],
      messages: [{ role: 'user', content: [{ text: 'Say hello to the dashboard.' }] }],
      inferenceConfig: { maxTokens: 24 },
    }));
    assert.ok(out.usage.outputTokens > 0, JSON.stringify(out.usage));
  } finally {
    client.destroy();
  }
}

/** A data API session from Node (cookie and CSRF token by hand). */
async function apiSession(creds) {
  const res = await fetch(`${server.endpoint}/ui/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(creds),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^bp_session=[^;]+;.*HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  const session = JSON.parse(text);
  const get = (p, { csrf = true } = {}) => fetch(`${server.endpoint}${p}`, {
    headers: { cookie: cookie.split(';')[0], ...(csrf ? { 'x-csrf-token': session.csrfToken } : {}) },
  });
  return { session, get };
}

// ---------------------------------------------------------------------------------------------
// The data API the pages stand on

test('data API: wrong credentials are refused; a call without the CSRF header is refused', async () => {
  const bad = await fetch(`${server.endpoint}/ui/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...RD_E2E, secretAccessKey: 'wrong' }),
  });
  assert.equal(bad.status, 403);
  assert.ok(bad.headers.get('x-amzn-errortype'), 'an x-amzn-ErrorType header');

  const api = await apiSession(ADMIN);
  assert.equal(api.session.principal, 'platform-admin');
  const noCsrf = await api.get('/ui/api/profiles', { csrf: false });
  assert.equal(noCsrf.status, 403);
  assert.match(noCsrf.headers.get('x-amzn-errortype'), /^AccessDeniedException/);

  const res = await api.get('/ui/api/profiles');
  assert.equal(res.status, 200);
  const { profiles } = await res.json();
  for (const p of profiles) arns[p.name] = p.arn;
  for (const name of SEED_PROFILES) assert.ok(arns[name], `${name} in ${JSON.stringify(profiles.map((p) => p.name))}`);
});

// ---------------------------------------------------------------------------------------------
// platform-admin

test('admin: signs in and sees both seed profiles; a reload keeps the session', async () => {
  admin = await newPage();
  const { page } = admin;
  await signIn(page, ADMIN);
  await page.waitForSelector('[data-testid=profiles-table]');
  assert.equal(await page.$eval('[data-testid=principal]', (el) => el.textContent), 'platform-admin');
  const rows = await page.$$eval('[data-testid=profile-row]', (trs) =>
    trs.map((tr) => ({ name: tr.dataset.name, arn: tr.querySelector('[data-testid=profile-arn]').textContent })));
  for (const name of SEED_PROFILES) {
    const row = rows.find((r) => r.name === name);
    assert.ok(row, `${name} in ${JSON.stringify(rows)}`);
    assert.equal(row.arn, arns[name]);
  }
  // The admin's nav offers every page.
  for (const name of ['profiles', 'usage', 'health', 'requests', 'access']) {
    assert.ok(await page.$(`[data-testid=nav-${name}]`), `nav-${name}`);
  }
  await page.click('[data-testid=profile-row] details summary');
  await page.waitForSelector('[data-testid=profile-policy]', { visible: true });
  assert.match(await page.$eval('[data-testid=profile-policy]', (el) => el.textContent), /"Statement"/);
  await screenshot(page, 'profiles');

  // The CSRF token lives in memory only: after a reload GET /ui/api/session hands it back.
  await page.reload();
  await page.waitForSelector('[data-testid=profiles-table]');
  assert.equal(await page.$('[data-testid=signin-form]'), null);
});

test('admin: Usage follows the calls without a reload (totals and charts)', async () => {
  const { page } = admin;
  await go(page, '#/usage');
  await page.waitForSelector('[data-testid=usage-total-requests]');
  await page.waitForSelector('[data-testid=chart-requests] canvas');
  const before = await figure(page, 'usage-total-requests');
  const chartBefore = await page.$eval('[data-testid=chart-requests]', (el) => Number(el.dataset.total ?? 0));
  await page.evaluate(() => {
    window.bpNotReloaded = true;
  });

  for (const profile of ['rd-haiku-45', 'rd-haiku-45', 'rd-sonnet-4']) {
    await converse(RD_E2E, profile);
    rdCalls.push(profile);
  }
  await converse(ADMIN, 'rd-haiku-45');

  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=usage-total-requests]')?.dataset.value) >= n,
    { timeout: LIVE_TIMEOUT_MS, polling: 250 },
    before + 4,
  );
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=chart-requests]')?.dataset.total) >= n,
    { timeout: LIVE_TIMEOUT_MS, polling: 250 },
    chartBefore + 4,
  );
  assert.equal(await page.evaluate(() => window.bpNotReloaded), true, 'the page was not reloaded');
  assert.ok(await figure(page, 'usage-total-cost') > 0, 'the calls cost something');
  assert.ok(await figure(page, 'usage-total-output-tokens') > 0);
  assert.match(await page.$eval('[data-testid=updated]', (el) => el.textContent), /^updated \d\d:\d\d:\d\d$/);
  assert.equal(await page.$eval('[data-testid=usage-scope]', (el) => el.dataset.scope), 'all');
  for (const id of ['chart-tokens', 'chart-cost']) {
    assert.ok(await page.$eval(`[data-testid=${id}]`, (el) => Number(el.dataset.total)) > 0, id);
  }
  const ranked = await page.$$eval('[data-testid=ranking-row]', (trs) => trs.map((tr) => tr.dataset.key));
  for (const name of SEED_PROFILES) assert.ok(ranked.includes(name), `${name} ranked: ${ranked}`);
  await screenshot(page, 'usage');

  // Grouped by principal: both callers (keys are their ARNs, shown by name).
  await page.select('#usage-by', 'principal');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=ranking-row]')]
    .some((tr) => tr.dataset.label === 'rd-e2e'), { polling: 250 });
  const principals = await page.$$eval('[data-testid=ranking-row]', (trs) => trs.map((tr) => tr.dataset.label));
  assert.ok(principals.includes('platform-admin'), `platform-admin ranked: ${principals}`);
  assert.match(page.url(), /#\/usage\?.*by=principal/);
  await screenshot(page, 'usage-by-principal');
});

test('admin: Requests lists the calls, filterable by principal', async () => {
  const { page } = admin;
  await go(page, '#/requests');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=request-row][data-principal="rd-e2e"]').length >= n,
    { timeout: LIVE_TIMEOUT_MS, polling: 250 }, rdCalls.length);
  await screenshot(page, 'requests');

  await page.type('#requests-principal', 'rd-e2e');
  await page.click('#requests-apply');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=request-row]')];
    return rows.length > 0 && rows.every((tr) => tr.dataset.principal === 'rd-e2e');
  }, { polling: 250 });
  const rows = await page.$$eval('[data-testid=request-row]', (trs) => trs.map((tr) => ({ ...tr.dataset })));
  assert.equal(rows.length, rdCalls.length, JSON.stringify(rows));
  assert.deepEqual(rows.map((r) => r.profile).sort(), [...rdCalls].sort());
  assert.ok(rows.every((r) => r.status === 'ok'), JSON.stringify(rows));
  await screenshot(page, 'requests-rd-e2e');
});

test('admin: Health shows eu-central-1', async () => {
  const { page } = admin;
  await go(page, '#/health');
  await page.waitForSelector('[data-testid=health-table] [data-region="eu-central-1"]');
  const row = await page.$eval('[data-testid=health-row][data-region="eu-central-1"]', (tr) => ({ ...tr.dataset, text: tr.textContent }));
  assert.equal(row.circuit, 'closed');
  assert.match(row.text, /%/);
  await screenshot(page, 'health');
});

test('admin: Access shows an allowed call and a denied one with its missing grant', async () => {
  const { page } = admin;
  await go(page, '#/access');
  await page.waitForSelector('#access-principal option[value="rd-e2e"]');
  await page.select('#access-principal', 'rd-e2e');
  await page.select('#access-profile', 'rd-haiku-45');
  await page.select('#access-action', 'bedrock:InvokeModel');
  const verdict = (action, allowed) => page.waitForFunction((a, ok) => {
    const r = document.querySelector('[data-testid=access-result]');
    return r?.dataset.allowed === String(ok) && r.textContent.includes(a) && r.textContent.includes('rd-e2e');
  }, { polling: 250 }, action, allowed);
  await verdict('bedrock:InvokeModel', true);
  const checks = await page.$$eval('[data-testid=access-check]', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(checks.length > 0);
  await screenshot(page, 'access-allowed');

  await page.select('#access-action', 'bedrock:GetInferenceProfile');
  await verdict('bedrock:GetInferenceProfile', false);
  const missing = JSON.parse(await page.$eval('[data-testid=access-missing]', (el) => el.textContent));
  assert.ok(Array.isArray(missing) && missing.length > 0, JSON.stringify(missing));
  assert.ok(missing.some((g) => g.Effect === 'Allow' && [g.Action].flat().includes('bedrock:GetInferenceProfile')),
    JSON.stringify(missing));
  const outcomes = await page.$$eval('[data-testid=access-check]', (trs) => trs.map((tr) => tr.dataset.outcome));
  assert.ok(outcomes.some((o) => o !== 'allow'), outcomes.join());
  await screenshot(page, 'access-denied');
});

// ---------------------------------------------------------------------------------------------
// rd-e2e, a consumer

test('rd-e2e: a wrong secret is refused; sees only its own usage; is refused Access and Health', async () => {
  const { context, page } = await newPage();
  try {
    await signIn(page, { ...RD_E2E, secretAccessKey: 'not-the-secret' });
    const refused = await errorBoxText(page);
    assert.match(refused, /Exception/);
    await screenshot(page, 'signin-refused');

    await page.$eval('#signin-secret', (el) => {
      el.value = '';
    });
    await page.type('#signin-secret', RD_E2E.secretAccessKey);
    await page.click('#signin-submit');
    await page.waitForSelector('[data-testid=principal]');
    assert.equal(await page.$eval('[data-testid=principal]', (el) => el.textContent), 'rd-e2e');
    // Its nav hides what its policies do not allow.
    assert.equal(await page.$('[data-testid=nav-access]'), null);
    assert.equal(await page.$('[data-testid=nav-health]'), null);

    await go(page, '#/usage?window=24h&by=principal');
    await page.waitForSelector('[data-testid=usage-scope][data-scope="own"]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=usage-total-requests]')?.dataset.value) === n,
      { timeout: LIVE_TIMEOUT_MS, polling: 250 }, rdCalls.length);
    const ranked = await page.$$eval('[data-testid=ranking-row]', (trs) => trs.map((tr) => tr.dataset.label));
    assert.deepEqual(ranked, ['rd-e2e']);
    await screenshot(page, 'consumer-usage');

    for (const name of ['access', 'health']) {
      await go(page, `#/${name}`);
      const text = await errorBoxText(page);
      assert.match(text, /not authorized/, text);
      assert.equal(await page.$eval('[data-testid=error-box]', (el) => el.dataset.errorType), 'AccessDeniedException');
      await screenshot(page, `consumer-${name}-refused`);
    }
  } finally {
    await context.close();
  }
});

test('admin: signs out; the session is gone', async () => {
  const { page, context } = admin;
  await go(page, '#/profiles');
  await page.waitForSelector('[data-testid=profiles-table]');
  await page.click('[data-testid=signout]');
  await page.waitForSelector('[data-testid=signin-form]');
  const status = await page.evaluate(async () => (await fetch('/ui/api/session')).status);
  assert.equal(status, 403);
  await page.reload();
  await page.waitForSelector('[data-testid=signin-form]');
  await screenshot(page, 'signed-out');
  await context.close();
});

test('no page broke the CSP or threw', () => {
  assert.deepEqual(problems, []);
});
