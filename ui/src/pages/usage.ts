// Usage: GET /ui/api/usage over a window, grouped by a dimension: totals, three charts
// (requests, tokens, cost; a line per series), the ranking against the previous period and
// each budget's burn-down. The window and grouping live in the hash (#/usage?window=7d&by=model).

import { LineChart, PALETTE, type Line } from '../charts';
import { field, h, replace, select, table } from '../dom';
import * as fmt from '../format';
import type { Page, PageContext } from '../page';
import type { Budget, Usage, UsageFigures, UsageSeries } from '../types';

const WINDOWS: [string, string][] = [
  ['1h', 'last hour'],
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
  ['30d', 'last 30 days'],
  ['custom', 'custom…'],
];
const GROUPS: [string, string][] = [
  ['profile', 'profile'],
  ['principal', 'principal'],
  ['model', 'model'],
  ['region', 'region'],
  ['operation', 'operation'],
  ['tag', 'tag…'],
];

export function usagePage(ctx: PageContext): Page {
  const p = ctx.params;
  const by = p.get('by') ?? 'profile';
  const windowSel = select({ id: 'usage-window' }, WINDOWS, p.get('window') ?? (p.get('from') ? 'custom' : '24h'));
  const fromIn = h('input', { id: 'usage-from', type: 'datetime-local' });
  const toIn = h('input', { id: 'usage-to', type: 'datetime-local' });
  const bySel = select({ id: 'usage-by' }, GROUPS, by.startsWith('tag:') ? 'tag' : by);
  const tagIn = h('input', { id: 'usage-tag-key', type: 'text', placeholder: 'tag key, e.g. CostCenter', value: by.startsWith('tag:') ? by.slice(4) : '' });
  const fromParam = p.get('from');
  const toParam = p.get('to');
  if (fromParam) fromIn.value = fmt.localInput(Date.parse(fromParam));
  if (toParam) toIn.value = fmt.localInput(Date.parse(toParam));
  const fromField = field('from', fromIn);
  const toField = field('to', toIn);
  const tagField = field('tag key', tagIn);

  const syncControls = () => {
    const custom = windowSel.value === 'custom';
    fromField.hidden = toField.hidden = !custom;
    tagField.hidden = bySel.value !== 'tag';
    if (custom && !fromIn.value && !toIn.value) {
      const now = Date.now();
      fromIn.value = fmt.localInput(now - 24 * 3600_000);
      toIn.value = fmt.localInput(now);
    }
  };
  syncControls();

  const query = (): Record<string, string> | null => {
    const q: Record<string, string> = {};
    if (windowSel.value === 'custom') {
      const from = Date.parse(fromIn.value);
      const to = Date.parse(toIn.value);
      if (Number.isNaN(from) || Number.isNaN(to)) return null;
      q.from = new Date(from).toISOString();
      q.to = new Date(to).toISOString();
    } else {
      q.window = windowSel.value;
    }
    if (bySel.value === 'tag') {
      const key = tagIn.value.trim();
      if (!key) return null;
      q.by = `tag:${key}`;
    } else {
      q.by = bySel.value;
    }
    return q;
  };

  const onChange = () => {
    syncControls();
    const q = query();
    if (q) ctx.setParams(new URLSearchParams(q));
    ctx.reload();
  };
  for (const c of [windowSel, fromIn, toIn, bySel, tagIn]) c.addEventListener('change', onChange);

  const note = h('p', { class: 'muted', testid: 'usage-note' });
  const summary = h('p', { class: 'summary', testid: 'usage-summary' });
  const totals = h('div', { class: 'figures', testid: 'usage-totals' });
  const charts = {
    requests: new LineChart('chart-requests', 'Requests', (v) => fmt.int(v)),
    tokens: new LineChart('chart-tokens', 'Tokens', (v) => compact(v)),
    cost: new LineChart('chart-cost', 'Cost (USD)', (v) => fmt.usd(v), usdTick),
  };
  const ranking = h('div', { class: 'scroll', testid: 'usage-ranking-box' });
  const budgets = new Budgets();

  const el = h(
    'section',
    { id: 'page-usage' },
    h('h1', {}, 'Usage'),
    h('form', { class: 'controls', id: 'usage-controls', on: { submit: (e) => e.preventDefault() } },
      field('window', windowSel), fromField, toField, field('group by', bySel), tagField),
    note,
    summary,
    totals,
    h('div', { class: 'charts' }, charts.requests.el, charts.tokens.el, charts.cost.el),
    h('h2', {}, 'Ranking'),
    ranking,
    h('h2', {}, 'Budgets'),
    budgets.el,
  );

  let last = '';
  return {
    el,
    async refresh(signal) {
      const q = query();
      if (!q) {
        note.textContent = windowSel.value === 'custom' && bySel.value !== 'tag'
          ? 'Choose both ends of the custom window.'
          : 'Enter a tag key (and both ends of a custom window).';
        return;
      }
      note.textContent = '';
      const data = await ctx.api.get<Usage>('/usage', q, signal);
      const text = JSON.stringify(data);
      if (text === last) return;
      last = text;
      summary.dataset.scope = data.scope;
      replace(
        summary,
        h('span', { class: `scope scope-${data.scope}`, testid: 'usage-scope', data: { scope: data.scope } },
          data.scope === 'own' ? 'your own calls' : 'all calls'),
        ` · ${fmt.dateTime(data.from)} – ${fmt.dateTime(data.to)} · buckets of ${fmt.duration(data.bucketMs)} · by ${data.by}`,
      );
      replace(totals, figures(data.total));
      drawSeries(charts, data.by, data.buckets, data.series);
      replace(ranking, rankingTable(data));
      budgets.update(data.budgets);
    },
    destroy() {
      for (const c of Object.values(charts)) c.destroy();
      budgets.destroy();
    },
  };
}

/** Axis labels: few digits ($0.004, $1.25, $120). */
function usdTick(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0) return '$0';
  if (abs >= 100) return `$${v.toFixed(0)}`;
  if (abs >= 1) return `$${v.toFixed(2)}`;
  return `$${Number(v.toPrecision(2))}`;
}

function compact(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return fmt.int(v);
}

function figure(testid: string, label: string, value: number, text: string): HTMLElement {
  return h('div', { class: 'figure' },
    h('div', { class: 'figure-value', testid, data: { value: String(value) } }, text),
    h('div', { class: 'figure-label' }, label));
}

function figures(t: UsageFigures): HTMLElement[] {
  const changeClass = t.costChangePct === null ? '' : t.costChangePct > 0 ? 'up' : 'down';
  return [
    figure('usage-total-requests', 'requests', t.requests, fmt.int(t.requests)),
    figure('usage-total-errors', 'errors', t.errors, fmt.int(t.errors)),
    figure('usage-total-throttles', 'throttles', t.throttles, fmt.int(t.throttles)),
    figure('usage-total-input-tokens', 'input tokens', t.inputTokens, fmt.int(t.inputTokens)),
    figure('usage-total-output-tokens', 'output tokens', t.outputTokens, fmt.int(t.outputTokens)),
    figure('usage-total-cache-tokens', 'cache read / write tokens', t.cacheReadTokens + t.cacheWriteTokens,
      `${fmt.int(t.cacheReadTokens)} / ${fmt.int(t.cacheWriteTokens)}`),
    figure('usage-total-cost', 'cost', t.costUsd, fmt.usd(t.costUsd)),
    h('div', { class: `figure ${changeClass}` },
      h('div', { class: 'figure-value', testid: 'usage-total-change', data: { value: String(t.costChangePct) } },
        fmt.change(t.costChangePct)),
      h('div', { class: 'figure-label' }, `cost vs previous period (${fmt.usd(t.previousCostUsd)}, ${fmt.int(t.previousRequests)} requests)`)),
  ];
}

/** A key as shown: a principal's ARN by its name (role/NAME), the full ARN in the title. */
export function shortKey(by: string, key: string): string {
  if (by !== 'principal') return key;
  const m = /^arn:aws:(?:iam|sts)::\d*:[^/]+\/(?:.*\/)?([^/]+)$/.exec(key);
  return m ? m[1] : key;
}

function colorOf(s: UsageSeries, i: number): string {
  return s.key === '(other)' ? PALETTE[PALETTE.length - 1] : PALETTE[i % (PALETTE.length - 1)];
}

function drawSeries(charts: Record<'requests' | 'tokens' | 'cost', LineChart>, by: string, buckets: number[], series: UsageSeries[]): void {
  const lines = (pick: (s: UsageSeries) => number[]): Line[] =>
    series.map((s, i) => ({ label: shortKey(by, s.key), values: pick(s), color: colorOf(s, i) }));
  charts.requests.update(buckets, lines((s) => s.requests));
  charts.tokens.update(buckets, lines((s) => s.tokens));
  charts.cost.update(buckets, lines((s) => s.costUsd));
}

function rankingTable(data: Usage): HTMLElement {
  if (data.ranking.length === 0) return h('p', { class: 'muted', testid: 'usage-ranking-empty' }, 'No calls in this window.');
  return table(
    { testid: 'usage-ranking', class: 'data numeric' },
    [data.by, 'requests', 'errors', 'throttles', 'input tok', 'output tok', 'cache read', 'cache write', 'cost', 'previous cost', 'change'],
    data.ranking.map((r) => ({
      attrs: { testid: 'ranking-row', data: { key: r.key, label: shortKey(data.by, r.key) } },
      cells: [
        h('span', { class: 'key', title: r.key }, shortKey(data.by, r.key)),
        fmt.int(r.requests),
        fmt.int(r.errors),
        fmt.int(r.throttles),
        fmt.int(r.inputTokens),
        fmt.int(r.outputTokens),
        fmt.int(r.cacheReadTokens),
        fmt.int(r.cacheWriteTokens),
        fmt.usd(r.costUsd),
        fmt.usd(r.previousCostUsd),
        h('span', { class: r.costChangePct === null ? 'muted' : r.costChangePct > 0 ? 'up' : 'down' }, fmt.change(r.costChangePct)),
      ],
    })),
  );
}

/** Each budget's burn-down: cumulative spend, the limit and the projection to the period's end. */
class Budgets {
  readonly el = h('div', { class: 'budgets', testid: 'usage-budgets' });
  private readonly charts = new Map<string, { box: HTMLElement; text: HTMLElement; chart: LineChart }>();

  update(budgets: Budget[]): void {
    if (budgets.length === 0) {
      this.destroy();
      replace(this.el, h('p', { class: 'muted', testid: 'budgets-empty' }, 'No budget applies to these calls.'));
      return;
    }
    const names = new Set(budgets.map((b) => b.name));
    for (const [name, b] of this.charts) {
      if (!names.has(name)) {
        b.chart.destroy();
        this.charts.delete(name);
      }
    }
    const boxes = budgets.map((b) => {
      let entry = this.charts.get(b.name);
      if (!entry) {
        const chart = new LineChart('budget-chart', '', (v) => fmt.usd(v), usdTick);
        const text = h('p', { testid: 'budget-text' });
        const box = h('div', { class: 'budget', testid: 'budget', data: { name: b.name } }, h('h3', {}, b.name), text, chart.el);
        entry = { box, text, chart };
        this.charts.set(b.name, entry);
      }
      this.draw(entry, b);
      return entry.box;
    });
    replace(this.el, boxes);
  }

  destroy(): void {
    for (const b of this.charts.values()) b.chart.destroy();
    this.charts.clear();
  }

  private draw(entry: { text: HTMLElement; chart: LineChart; box: HTMLElement }, b: Budget): void {
    const pct = b.limitUsd > 0 ? (b.spentUsd / b.limitUsd) * 100 : 0;
    const over = b.projectedUsd > b.limitUsd;
    entry.box.classList.toggle('over', over);
    replace(entry.text,
      `spent ${fmt.usd(b.spentUsd)} of ${fmt.usd(b.limitUsd)} (${pct.toFixed(1)}%) · projected `,
      h('strong', { class: over ? 'up' : 'down' }, fmt.usd(b.projectedUsd)),
      ` by ${fmt.dateTime(b.periodEnd)} · period from ${fmt.dateTime(b.periodStart)}`);
    const burn = [...b.burn].sort((x, y) => x[0] - y[0]);
    const xs = [...new Set([b.periodStart, ...burn.map(([t]) => t), b.periodEnd])].sort((x, y) => x - y);
    const spentAt = new Map(burn);
    const lastT = burn.length ? burn[burn.length - 1][0] : b.periodStart;
    const lastV = burn.length ? burn[burn.length - 1][1] : 0;
    const spent = xs.map((t) => spentAt.get(t) ?? (t === b.periodStart ? 0 : null));
    const projected = xs.map((t) => (t === lastT ? lastV : t === b.periodEnd ? b.projectedUsd : null));
    entry.chart.update(xs, [
      { label: 'spent', values: spent, color: PALETTE[0], spanGaps: true },
      { label: 'limit', values: xs.map(() => b.limitUsd), color: PALETTE[1], dash: [6, 4], noPoints: true },
      { label: 'projected', values: projected, color: PALETTE[3], dash: [2, 4], spanGaps: true },
    ]);
  }
}
