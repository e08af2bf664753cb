// What a page is to the shell (main.ts): it builds its controls once, and refresh() fetches its
// data API and redraws the data; the shell calls refresh() on mount, every 5 s while the tab is
// visible, and whenever the page asks (a control changed). A refresh that throws an ApiError
// shows the shell's error box; the page's DOM stays as it was.

import type { Api } from './api';
import type { PageName, Session } from './types';

export interface PageContext {
  readonly api: Api;
  readonly session: Session;
  /** The page's state from the URL's hash (#/usage?window=7d). */
  readonly params: URLSearchParams;
  /** Stores the page's state in the hash (no history entry, no remount). */
  setParams(params: URLSearchParams): void;
  /** Refreshes now (a control changed). */
  reload(): void;
}

export interface Page {
  readonly el: HTMLElement;
  refresh(signal: AbortSignal): Promise<void>;
  destroy?(): void;
}

export type PageFactory = (ctx: PageContext) => Page;

export interface PageInfo {
  name: PageName;
  title: string;
  make: PageFactory;
}

/** Whether the session's policies allow the page (the nav shows only those). */
export function allowed(session: Session, name: PageName): boolean {
  const v = session.pages[name];
  return v === true || v === 'all' || v === 'own';
}
