// uPlot line charts that survive the 5 s refresh: the same series keys only swap the data
// (no flicker, the legend's toggles stay), other keys rebuild the chart. Each chart's
// container carries data-total (the sum of every plotted value) and data-points so a test
// or a curious user can see a change without reading the canvas.

import uPlot from 'uplot';

import { h } from './dom';

export const PALETTE = [
  '#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d',
  '#6b7280',
];

export interface Line {
  label: string;
  values: (number | null)[];
  color?: string;
  dash?: number[];
  /** Join across nulls (a projection drawn from two points). */
  spanGaps?: boolean;
  /** Draw no point markers (a constant line). */
  noPoints?: boolean;
}

export class LineChart {
  readonly el: HTMLDivElement;
  private plot: uPlot | null = null;
  private keys = '';
  private readonly observer: ResizeObserver;

  constructor(
    testid: string,
    private readonly title: string,
    private readonly format: (v: number) => string,
    /** Tick labels; default `format`. */
    private readonly tick: (v: number) => string = format,
  ) {
    this.el = h('div', { class: 'chart', testid });
    this.observer = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize(this.size());
    });
    this.observer.observe(this.el);
  }

  /** Draws lines over x values in ms since the epoch. */
  update(xsMs: number[], lines: Line[]): void {
    const data: uPlot.AlignedData = [xsMs.map((x) => x / 1000), ...lines.map((l) => l.values)];
    let total = 0;
    for (const l of lines) for (const v of l.values) total += v ?? 0;
    this.el.dataset.total = String(Math.round(total * 1e6) / 1e6);
    this.el.dataset.points = String(xsMs.length);
    this.el.dataset.series = String(lines.length);
    const keys = JSON.stringify(lines.map((l) => [l.label, l.color, l.dash]));
    if (this.plot && keys === this.keys) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.keys = keys;
    const fmt = this.format;
    const tick = this.tick;
    const opts: uPlot.Options = {
      title: this.title || undefined,
      ...this.size(),
      scales: { x: { time: true } },
      series: [
        {},
        ...lines.map((l, i) => ({
          label: l.label,
          stroke: l.color ?? PALETTE[i % PALETTE.length],
          width: 2,
          dash: l.dash,
          spanGaps: l.spanGaps,
          points: l.noPoints ? { show: false } : undefined,
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : fmt(v)),
        })),
      ],
      axes: [{}, { size: 70, values: (_u, vals) => vals.map((v) => tick(v)) }],
    };
    this.plot = new uPlot(opts, data, this.el);
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private size(): { width: number; height: number } {
    // The content box: clientWidth includes the padding.
    const style = getComputedStyle(this.el);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) || 0;
    return { width: Math.max(300, (this.el.clientWidth || 600) - padding), height: 220 };
  }
}
