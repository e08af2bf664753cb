// The data API client (docs/dashboard.md, "Data API"). The CSRF token lives only in memory:
// after a reload GET /ui/api/session hands it back (the session cookie is HttpOnly).

import type { Session } from './types';

const BASE = '/ui/api';

/** A refusal or failure of the data API, in the Bedrock error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** `x-amzn-ErrorType`, without the `:URL` suffix AWS sometimes appends. */
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | undefined>;

export class Api {
  private csrfToken: string | null = null;

  setSession(session: Session | null): void {
    this.csrfToken = session ? session.csrfToken : null;
  }

  /** GET /ui/api/session: the cookie's session, or null when there is none (403). */
  async currentSession(): Promise<Session | null> {
    try {
      return await this.call<Session>('GET', '/session', { csrf: false });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return null;
      throw e;
    }
  }

  signIn(credentials: Record<string, string>): Promise<Session> {
    return this.call<Session>('POST', '/session', { body: credentials, csrf: false });
  }

  async signOut(): Promise<void> {
    await this.call<void>('DELETE', '/session');
  }

  /** Set while the automatic refresh runs (see call()). */
  polling = false;

  get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    return this.call<T>('GET', path, { query, signal });
  }

  private async call<T>(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; signal?: AbortSignal; csrf?: boolean } = {},
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.csrf !== false && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    // The 5 s refresh is not the person using the page: the server does not count it as
    // activity, so an open but unattended tab still reaches the idle timeout.
    if (this.polling) headers['x-bp-poll'] = '1';
    let res: Response;
    try {
      res = await fetch(`${BASE}${path}${qs ? `?${qs}` : ''}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'NetworkError', `cannot reach the server: ${String(e)}`);
    }
    const text = await res.text();
    if (!res.ok) throw errorOf(res, text);
    if (res.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'InvalidResponse', `the server's answer is not JSON`);
    }
  }
}

function errorOf(res: Response, text: string): ApiError {
  const header = res.headers.get('x-amzn-errortype') ?? '';
  let type = header.split(':')[0];
  let message = '';
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown; __type?: unknown };
    message = String(body.message ?? body.Message ?? '');
    if (!type && typeof body.__type === 'string') type = body.__type.split('#').pop() ?? '';
  } catch {
    message = text.slice(0, 500);
  }
  return new ApiError(res.status, type || `HTTP ${res.status}`, message || res.statusText);
}
