// The dashboard's shell: sign-in, the nav, hash routing (#/profiles ... #/access), the error
// box and the 5 s refresh while the tab is visible (docs/dashboard.md).

import { Api, ApiError } from './api';
import { h, replace } from './dom';
import * as fmt from './format';
import { allowed, type Page, type PageInfo } from './page';
import { accessPage } from './pages/access';
import { healthPage } from './pages/health';
import { profilesPage } from './pages/profiles';
import { requestsPage } from './pages/requests';
import { usagePage } from './pages/usage';
import type { PageName, Session } from './types';

const REFRESH_MS = 5000;

const PAGES: PageInfo[] = [
  { name: 'profiles', title: 'Profiles', make: profilesPage },
  { name: 'usage', title: 'Usage', make: usagePage },
  { name: 'health', title: 'Health', make: healthPage },
  { name: 'requests', title: 'Requests', make: requestsPage },
  { name: 'access', title: 'Access', make: accessPage },
];

const api = new Api();
const root = document.getElementById('app') as HTMLElement;

/** The error box: the error type (x-amzn-ErrorType), the HTTP status and the API's message. */
function errorBox(): { el: HTMLElement; show(e: unknown): void; clear(): void } {
  const el = h('div', { class: 'error-box', testid: 'error-box', role: 'alert', id: 'error-box' });
  el.hidden = true;
  return {
    el,
    show(e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'Error', String(e));
      el.dataset.errorType = err.type;
      el.dataset.status = String(err.status);
      replace(el,
        h('div', { class: 'error-title' }, h('strong', { testid: 'error-type' }, err.type),
          err.status ? ` (HTTP ${err.status})` : ''),
        h('div', { class: 'error-message', testid: 'error-message' }, err.message));
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      replace(el);
      delete el.dataset.errorType;
      delete el.dataset.status;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sign-in

function showSignIn(notice = ''): void {
  const errors = errorBox();
  const keyId = h('input', { id: 'signin-access-key-id', name: 'accessKeyId', autocomplete: 'username', spellcheck: 'false', placeholder: 'AKIA…' });
  const secret = h('input', { id: 'signin-secret', name: 'secretAccessKey', type: 'password', autocomplete: 'current-password' });
  const apiKey = h('input', { id: 'signin-api-key', name: 'apiKey', type: 'password', autocomplete: 'off', placeholder: 'bedrock-api-key-…' });
  const modeKeys = h('input', { type: 'radio', name: 'mode', value: 'keys', id: 'signin-mode-keys', checked: true });
  const modeApi = h('input', { type: 'radio', name: 'mode', value: 'apikey', id: 'signin-mode-apikey' });
  const keysBox = h('div', { class: 'signin-keys' },
    h('label', { class: 'field' }, h('span', {}, 'Access key ID'), keyId),
    h('label', { class: 'field' }, h('span', {}, 'Secret access key'), secret));
  const apiBox = h('div', { class: 'signin-apikey' }, h('label', { class: 'field' }, h('span', {}, 'Bedrock API key'), apiKey));
  const sync = () => {
    keysBox.hidden = !modeKeys.checked;
    apiBox.hidden = modeKeys.checked;
  };
  modeKeys.addEventListener('change', sync);
  modeApi.addEventListener('change', sync);
  sync();
  const submit = h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in');
  const form = h('form', { class: 'signin', id: 'signin-form', testid: 'signin-form' },
    h('h1', {}, 'bedrock-profiles'),
    notice ? h('p', { class: 'notice', testid: 'signin-notice' }, notice) : null,
    h('div', { class: 'modes' },
      h('label', {}, modeKeys, ' Access key'),
      h('label', {}, modeApi, ' Bedrock API key')),
    keysBox, apiBox, errors.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.clear();
    submit.disabled = true;
    try {
      const creds: Record<string, string> = modeKeys.checked
        ? { accessKeyId: keyId.value.trim(), secretAccessKey: secret.value }
        : { apiKey: apiKey.value.trim() };
      const session = await api.signIn(creds);
      secret.value = apiKey.value = '';
      startShell(session);
    } catch (err) {
      errors.show(err);
    } finally {
      submit.disabled = false;
    }
  });
  stopShell();
  replace(root, h('main', { class: 'signin-page' }, form));
  (modeKeys.checked ? keyId : apiKey).focus();
}

// ---------------------------------------------------------------------------------------------
// The signed-in shell

interface Shell {
  session: Session;
  errors: ReturnType<typeof errorBox>;
  main: HTMLElement;
  nav: HTMLElement;
  updated: HTMLElement;
  page: Page | null;
  pageName: PageName | null;
  /** Aborts the page's fetch in flight when the page goes away. */
  abort: AbortController | null;
  inFlight: boolean;
  again: boolean;
  timer: number | undefined;
}

let shell: Shell | null = null;

function startShell(session: Session): void {
  stopShell();
  api.setSession(session);
  const errors = errorBox();
  const nav = h('nav', { testid: 'nav' });
  const updated = h('span', { class: 'updated', testid: 'updated', id: 'updated' });
  const signOut = h('button', { type: 'button', id: 'signout', testid: 'signout' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    try {
      await api.signOut();
    } catch {
      // Signed out either way: the cookie may already have expired.
    }
    api.setSession(null);
    showSignIn('Signed out.');
  });
  const main = h('main', { id: 'page' });
  replace(root,
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'bedrock-profiles'),
      nav,
      h('span', { class: 'spacer' }),
      updated,
      h('span', { class: 'who', testid: 'principal', title: session.arn }, session.principal),
      signOut),
    errors.el,
    main);
  shell = { session, errors, main, nav, updated, page: null, pageName: null, abort: null, inFlight: false, again: false, timer: undefined };
  renderNav();
  route();
  schedule();
}

function stopShell(): void {
  if (!shell) return;
  window.clearTimeout(shell.timer);
  shell.abort?.abort();
  shell.page?.destroy?.();
  shell = null;
}

function renderNav(): void {
  if (!shell) return;
  const s = shell.session;
  replace(shell.nav, PAGES.filter((p) => allowed(s, p.name)).map((p) => {
    const scope = s.pages[p.name];
    return h('a', {
      href: `#/${p.name}`,
      id: `nav-${p.name}`,
      testid: `nav-${p.name}`,
      class: p.name === shell?.pageName ? 'active' : '',
    }, p.title, scope === 'own' ? h('span', { class: 'badge' }, 'own') : null);
  }));
}

function parseHash(): { name: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [name, query = ''] = raw.split('?', 2);
  return { name, params: new URLSearchParams(query) };
}

/** Mounts the page the hash names. A page the nav hides is still mounted: its API says why. */
function route(): void {
  if (!shell) return;
  const { name, params } = parseHash();
  const info = PAGES.find((p) => p.name === name);
  if (!info) {
    const first = PAGES.find((p) => allowed(shell!.session, p.name)) ?? PAGES[0];
    history.replaceState(null, '', `#/${first.name}`);
    route();
    return;
  }
  shell.abort?.abort();
  shell.page?.destroy?.();
  shell.errors.clear();
  shell.updated.textContent = '';
  shell.pageName = info.name;
  const current = shell;
  const page = info.make({
    api,
    session: shell.session,
    params,
    setParams(p) {
      const q = p.toString();
      history.replaceState(null, '', `#/${info.name}${q ? `?${q}` : ''}`);
    },
    reload() {
      if (shell === current && shell.page === page) void refresh();
    },
  });
  shell.page = page;
  shell.abort = new AbortController();
  shell.inFlight = false;
  document.title = `${info.title} · bedrock-profiles`;
  replace(shell.main, page.el);
  renderNav();
  void refresh();
}

/** One refresh of the current page; a request made while one is in flight runs after it. */
async function refresh(): Promise<void> {
  const s = shell;
  if (!s || !s.page || !s.abort) return;
  if (s.inFlight) {
    s.again = true;
    return;
  }
  const page = s.page;
  const signal = s.abort.signal;
  s.inFlight = true;
  s.again = false;
  try {
    await page.refresh(signal);
    if (shell !== s || s.page !== page) return;
    s.errors.clear();
    s.updated.textContent = `updated ${fmt.clock()}`;
  } catch (e) {
    if (signal.aborted || shell !== s || s.page !== page) return;
    // A 403 is either this page's refusal or a session that ended (idle timeout, signed out in
    // another tab): GET /ui/api/session tells them apart.
    if (e instanceof ApiError && e.status === 403 && (await api.currentSession().catch(() => s.session)) === null) {
      showSignIn('Your session has ended; sign in again.');
      return;
    }
    s.errors.show(e);
    s.updated.textContent = `update failed ${fmt.clock()}`;
  } finally {
    if (shell === s && s.page === page) {
      s.inFlight = false;
      if (s.again) void refresh();
    }
  }
}

function schedule(): void {
  if (!shell) return;
  window.clearTimeout(shell.timer);
  shell.timer = window.setTimeout(() => {
    if (document.visibilityState === 'visible') {
      api.polling = true;
      void refresh().finally(() => {
        api.polling = false;
      });
    }
    schedule();
  }, REFRESH_MS);
}

window.addEventListener('hashchange', () => route());
document.addEventListener('visibilitychange', () => {
  // Back from a hidden tab: show fresh figures now, then every 5 s again.
  if (document.visibilityState === 'visible' && shell) {
    void refresh();
    schedule();
  }
});

async function boot(): Promise<void> {
  try {
    const session = await api.currentSession();
    if (session) startShell(session);
    else showSignIn();
  } catch (e) {
    showSignIn();
    const box = root.querySelector<HTMLElement>('[data-testid="error-box"]');
    if (box) {
      box.hidden = false;
      box.textContent = e instanceof Error ? e.message : String(e);
    }
  }
}

void boot();
