// Number, money and time formatting. Fixed to en-US so the figures read the same in every
// browser (and in the browser test).

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function int(n: number): string {
  return intFmt.format(n);
}

/** USD: cents above a dollar, up to 6 decimals (the API's precision) below. */
export function usd(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : abs === 0 ? 2 : 6;
  return `${n < 0 ? '-' : ''}$${abs.toFixed(digits)}`;
}

/** A 0..1 rate as a percentage. */
export function rate(r: number): string {
  return `${(r * 100).toFixed(r > 0 && r < 0.001 ? 3 : 1)}%`;
}

/** A signed change in percent, or "new" when there was nothing before. */
export function change(pct: number | null): string {
  if (pct === null) return 'new';
  const sign = pct > 0 ? '+' : '';
  return `${sign}${pct.toFixed(1)}%`;
}

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function clock(t: Date = new Date()): string {
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

export function dateTime(epochMs: number): string {
  const t = new Date(epochMs);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${clock(t)}`;
}

/** The value a datetime-local input shows for an instant (local time, minutes). */
export function localInput(epochMs: number): string {
  const t = new Date(epochMs);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

export function duration(msSpan: number): string {
  const min = msSpan / 60_000;
  if (min < 60) return `${Math.round(min)} min`;
  if (min < 48 * 60) return `${Math.round(min / 60)} h`;
  return `${Math.round(min / 1440)} d`;
}
