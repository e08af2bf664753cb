// A small element builder: the app never assigns innerHTML, so text from the API (names, tags,
// policies, error messages) is always text, and nothing needs 'unsafe-inline' under the
// dashboard's CSP (no style attributes: CSS classes, or element.style from code).

type Child = Node | string | number | null | undefined | false;
type Handler = (ev: Event) => void;

export interface Attrs {
  class?: string;
  testid?: string;
  data?: Record<string, string>;
  on?: Record<string, Handler>;
  [attr: string]: unknown;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = String(value);
    else if (name === 'testid') el.dataset.testid = String(value);
    else if (name === 'data') Object.assign(el.dataset, value);
    else if (name === 'on') {
      for (const [ev, fn] of Object.entries(value as Record<string, Handler>)) {
        el.addEventListener(ev, fn);
      }
    } else if (name === 'style') throw new Error('style attributes break the CSP; use a class');
    else if (value === true) el.setAttribute(name, '');
    else if (name in el && typeof value !== 'string') (el as unknown as Record<string, unknown>)[name] = value;
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `el`. */
export function replace(el: Node, ...children: (Child | Child[])[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** A <select> with the given options (value, label), `selected` chosen when present. */
export function select(
  attrs: Attrs,
  options: (string | [string, string])[],
  selected?: string,
): HTMLSelectElement {
  const el = h('select', attrs);
  setOptions(el, options, selected);
  return el;
}

/** Refills a <select>, keeping `selected` (default: its current value) when it is still there. */
export function setOptions(
  el: HTMLSelectElement,
  options: (string | [string, string])[],
  selected: string = el.value,
): void {
  replace(
    el,
    options.map((o) => {
      const [value, label] = typeof o === 'string' ? [o, o] : o;
      return h('option', { value }, label);
    }),
  );
  if (options.some((o) => (typeof o === 'string' ? o : o[0]) === selected)) el.value = selected;
}

/** A labelled form control. */
export function field(label: string, control: HTMLElement, extraClass = ''): HTMLLabelElement {
  return h('label', { class: `field ${extraClass}`.trim() }, h('span', {}, label), control);
}

/** A table: header cells and rows of cells; each row may carry attributes. */
export function table(
  attrs: Attrs,
  head: string[],
  rows: { attrs?: Attrs; cells: (Child | Child[])[] }[],
): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      rows.map((r) => h('tr', r.attrs ?? {}, r.cells.map((c) => h('td', {}, c)))),
    ),
  );
}
