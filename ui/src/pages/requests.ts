// Requests: the latest calls from the ledger (GET /ui/api/requests), filtered by profile,
// principal, status and region; the filter lives in the hash.

import { field, h, replace, select, table } from '../dom';
import * as fmt from '../format';
import type { Page, PageContext } from '../page';
import type { RequestRecord } from '../types';

/** ok, error or throttled: what the status filter calls them (the error code decides). */
function outcome(r: RequestRecord): string {
  if (!r.errorCode) return 'ok';
  return r.errorCode === 'ThrottlingException' ? 'throttled' : 'error';
}

export function requestsPage(ctx: PageContext): Page {
  const p = ctx.params;
  const text = (id: string, name: string, placeholder: string) =>
    h('input', { id, name, type: 'text', placeholder, value: p.get(name) ?? '', autocomplete: 'off' });
  const profile = text('requests-profile', 'profile', 'any profile');
  const principal = text('requests-principal', 'principal', 'any principal');
  const region = text('requests-region', 'region', 'any region');
  const status = select({ id: 'requests-status', name: 'status' },
    [['', 'any'], ['ok', 'ok'], ['error', 'error'], ['throttled', 'throttled']], p.get('status') ?? '');
  const limit = select({ id: 'requests-limit', name: 'limit' }, ['50', '100', '200', '500'], p.get('limit') ?? '100');
  const filters = () => ({
    profile: profile.value.trim(),
    principal: principal.value.trim(),
    status: status.value,
    region: region.value.trim(),
    limit: limit.value,
  });
  const apply = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters())) if (v && !(k === 'limit' && v === '100')) q.set(k, v);
    ctx.setParams(q);
    ctx.reload();
  };
  const form = h('form', { class: 'controls', id: 'requests-filter', testid: 'requests-filter' },
    field('profile', profile), field('principal', principal), field('status', status), field('region', region),
    field('limit', limit), h('button', { type: 'submit', id: 'requests-apply' }, 'Apply'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  status.addEventListener('change', apply);
  limit.addEventListener('change', apply);

  const count = h('p', { class: 'summary', testid: 'requests-count' });
  const body = h('div', { class: 'page-body scroll' });
  const el = h('section', { id: 'page-requests' }, h('h1', {}, 'Requests'), form, count, body);
  let last = '';
  return {
    el,
    async refresh(signal) {
      const data = await ctx.api.get<{ requests: RequestRecord[] }>('/requests', filters(), signal);
      const json = JSON.stringify(data);
      if (json === last) return;
      last = json;
      count.textContent = `${data.requests.length} latest call${data.requests.length === 1 ? '' : 's'}`;
      count.dataset.count = String(data.requests.length);
      replace(body, table(
        { testid: 'requests-table', class: 'data numeric' },
        ['time', 'principal', 'profile', 'model', 'operation', 'status', 'region', 'attempts',
          'input tok', 'output tok', 'cache r/w', 'latency', 'TTFT', 'cost', 'tier', 'request id'],
        data.requests.map((r) => ({
          attrs: {
            testid: 'request-row',
            data: { requestId: r.requestId, status: outcome(r), httpStatus: String(r.status), profile: r.profile, principal: r.principal },
          },
          cells: [
            h('span', { class: 'nowrap' }, fmt.dateTime(r.time)),
            h('span', { title: r.principalArn }, r.principal || r.principalArn),
            h('span', { title: r.profileArn }, r.profile),
            h('code', { class: 'small' }, r.model),
            r.operation,
            h('span', { class: `status status-${outcome(r)}` },
              String(r.status), r.errorCode ? ` ${r.errorCode}` : '', r.cutShort ? ' (cut short)' : ''),
            r.servingRegion && r.servingRegion !== r.sourceRegion ? `${r.sourceRegion} → ${r.servingRegion}` : r.servingRegion || r.sourceRegion,
            fmt.int(r.attempts),
            fmt.int(r.inputTokens),
            fmt.int(r.outputTokens),
            `${fmt.int(r.cacheReadTokens)} / ${fmt.int(r.cacheWriteTokens)}`,
            fmt.ms(r.latencyMs),
            fmt.ms(r.ttftMs),
            fmt.usd(r.costUsd),
            r.serviceTier,
            h('code', { class: 'small' }, r.requestId),
          ],
        })),
      ));
    },
  };
}
