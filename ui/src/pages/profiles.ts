// Profiles: GET /ui/api/profiles as a table; the ARN has a copy button, the consumer policy
// folds out.

import { copyText } from '../clipboard';
import { h, replace, table } from '../dom';
import type { Page, PageContext } from '../page';
import type { Profile } from '../types';

export function profilesPage(ctx: PageContext): Page {
  const body = h('div', { class: 'page-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const el = h('section', { id: 'page-profiles' }, h('h1', {}, 'Profiles'), body);
  let last = '';
  return {
    el,
    async refresh(signal) {
      const data = await ctx.api.get<{ profiles: Profile[] }>('/profiles', {}, signal);
      const text = JSON.stringify(data);
      if (text === last) return; // keep open policies and selections as they are
      last = text;
      const open = new Set(
        [...body.querySelectorAll<HTMLDetailsElement>('details[open]')].map((d) => d.dataset.name),
      );
      replace(body, render(data.profiles, open));
    },
  };
}

function render(profiles: Profile[], open: Set<string | undefined>): HTMLElement {
  if (profiles.length === 0) return h('p', { class: 'muted', testid: 'profiles-empty' }, 'No profiles.');
  return table(
    { testid: 'profiles-table', class: 'data' },
    ['Name', 'ARN', 'Model', 'Regions', 'Tags', 'Status', 'Consumer policy'],
    profiles.map((p) => ({
      attrs: { testid: 'profile-row', data: { name: p.name } },
      cells: [
        h('div', {}, h('strong', {}, p.name), p.description ? h('div', { class: 'muted small' }, p.description) : null),
        arnCell(p.arn),
        h('div', {}, h('code', {}, p.model), p.modelArn ? h('div', { class: 'muted small mono' }, p.modelArn) : null),
        h('div', { class: 'chips' }, p.regions.map((r) => h('span', { class: 'chip' }, r))),
        h(
          'div',
          { class: 'chips' },
          Object.entries(p.tags)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => h('span', { class: 'chip tag' }, `${k}=${v}`)),
        ),
        h('span', { class: `status status-${p.status.toLowerCase()}` }, p.status),
        h(
          'details',
          { data: { name: p.name }, open: open.has(p.name) },
          h('summary', {}, 'policy'),
          h('pre', { class: 'policy', testid: 'profile-policy' }, pretty(p.policy)),
        ),
      ],
    })),
  );
}

function arnCell(arn: string): HTMLElement {
  const button = h('button', { type: 'button', class: 'copy', title: 'Copy the ARN', testid: 'copy-arn' }, 'Copy');
  button.addEventListener('click', async () => {
    const ok = await copyText(arn);
    button.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
  return h('div', { class: 'arn' }, h('code', { testid: 'profile-arn' }, arn), button);
}

function pretty(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy), null, 2);
  } catch {
    return policy;
  }
}
