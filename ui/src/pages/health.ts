// Health: GET /ui/api/health, a row per region; an open circuit stands out.

import { field, h, replace, select, table } from '../dom';
import * as fmt from '../format';
import type { Page, PageContext } from '../page';
import type { Health } from '../types';

export function healthPage(ctx: PageContext): Page {
  const windowSel = select({ id: 'health-window' }, [['1h', 'last hour'], ['24h', 'last 24 hours']], ctx.params.get('window') ?? '1h');
  windowSel.addEventListener('change', () => {
    ctx.setParams(new URLSearchParams({ window: windowSel.value }));
    ctx.reload();
  });
  const summary = h('p', { class: 'summary', testid: 'health-summary' });
  const body = h('div', { class: 'page-body scroll' });
  const el = h('section', { id: 'page-health' }, h('h1', {}, 'Health'),
    h('form', { class: 'controls', on: { submit: (e) => e.preventDefault() } }, field('window', windowSel)),
    summary, body);
  let last = '';
  return {
    el,
    async refresh(signal) {
      const data = await ctx.api.get<Health>('/health', { window: windowSel.value }, signal);
      const text = JSON.stringify(data);
      if (text === last) return;
      last = text;
      summary.textContent = `${fmt.dateTime(data.from)} – ${fmt.dateTime(data.to)}`;
      replace(body, table(
        { testid: 'health-table', class: 'data numeric' },
        ['region', 'circuit', 'failures in a row', 'outstanding', 'requests', 'errors', 'error rate',
          'throttles', 'throttle rate', 'latency p50', 'latency p99', 'TTFT p50', 'TTFT p99'],
        data.regions.map((r) => ({
          attrs: { testid: 'health-row', data: { region: r.region, circuit: r.circuit ?? 'none' } },
          cells: [
            h('strong', {}, r.region),
            r.circuit
              ? h('span', { class: `circuit circuit-${r.circuit}`, testid: 'circuit' }, r.circuit)
              : h('span', { class: 'muted', title: 'calls no configured region served' }, '—'),
            fmt.int(r.consecutiveFailures),
            fmt.int(r.outstanding),
            fmt.int(r.requests),
            fmt.int(r.errors),
            h('span', { class: r.errorRate > 0 ? 'up' : '' }, fmt.rate(r.errorRate)),
            fmt.int(r.throttles),
            h('span', { class: r.throttleRate > 0 ? 'up' : '' }, fmt.rate(r.throttleRate)),
            fmt.ms(r.latencyP50Ms),
            fmt.ms(r.latencyP99Ms),
            fmt.ms(r.ttftP50Ms),
            fmt.ms(r.ttftP99Ms),
          ],
        })),
      ));
    },
  };
}
