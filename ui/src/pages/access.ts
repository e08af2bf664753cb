// Access: may a principal call a profile? GET /ui/api/principals fills the choices,
// GET /ui/api/access answers with each check, its reason and the grants that are missing.

import { field, h, replace, select, setOptions, table } from '../dom';
import type { Page, PageContext } from '../page';
import type { Access, Principals } from '../types';

// The actions GET /ui/api/access accepts.
const ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CountTokens', 'bedrock:GetInferenceProfile'];

export function accessPage(ctx: PageContext): Page {
  const p = ctx.params;
  const principalSel = h('select', { id: 'access-principal', name: 'principal' });
  const profileSel = h('select', { id: 'access-profile', name: 'profile' });
  const actionSel = select({ id: 'access-action', name: 'action' }, ACTIONS, p.get('action') ?? ACTIONS[0]);
  let wantPrincipal = p.get('principal') ?? '';
  let wantProfile = p.get('profile') ?? '';
  const onChange = () => {
    wantPrincipal = principalSel.value;
    wantProfile = profileSel.value;
    ctx.setParams(new URLSearchParams({ principal: principalSel.value, profile: profileSel.value, action: actionSel.value }));
    ctx.reload();
  };
  for (const s of [principalSel, profileSel, actionSel]) s.addEventListener('change', onChange);

  const result = h('div', { class: 'access-result', testid: 'access-result' });
  const el = h('section', { id: 'page-access' }, h('h1', {}, 'Access'),
    h('form', { class: 'controls', id: 'access-form', on: { submit: (e) => e.preventDefault() } },
      field('principal', principalSel), field('profile', profileSel), field('action', actionSel)),
    result);

  let lastChoices = '';
  let last = '';
  return {
    el,
    async refresh(signal) {
      const choices = await ctx.api.get<Principals>('/principals', {}, signal);
      const choicesText = JSON.stringify(choices);
      if (choicesText !== lastChoices) {
        lastChoices = choicesText;
        setOptions(principalSel, choices.principals.map((x) => [x.name, x.name]), wantPrincipal);
        setOptions(profileSel, choices.profiles, wantProfile);
        for (const opt of principalSel.options) {
          const arn = choices.principals.find((x) => x.name === opt.value)?.arn;
          if (arn) opt.title = arn;
        }
      }
      if (!principalSel.value || !profileSel.value) {
        replace(result, h('p', { class: 'muted' }, 'No principal or profile to check.'));
        return;
      }
      const data = await ctx.api.get<Access>('/access',
        { principal: principalSel.value, profile: profileSel.value, action: actionSel.value }, signal);
      const text = JSON.stringify(data);
      if (text === last) return;
      last = text;
      render(result, data);
    },
  };
}

function render(result: HTMLElement, a: Access): void {
  result.dataset.allowed = String(a.allowed);
  result.classList.toggle('allowed', a.allowed);
  result.classList.toggle('denied', !a.allowed);
  replace(result,
    h('p', { class: 'verdict', testid: 'access-verdict' },
      h('strong', {}, a.allowed ? 'ALLOWED' : 'DENIED'),
      `: ${a.principal} ${a.allowed ? 'may' : 'may not'} call ${a.action} on ${a.profile}`),
    table({ testid: 'access-checks', class: 'data' }, ['action', 'resource', 'outcome', 'reason'],
      a.checks.map((c) => ({
        attrs: { testid: 'access-check', data: { outcome: c.outcome, allowed: String(c.allowed) } },
        cells: [
          h('code', {}, c.action),
          h('code', { class: 'small' }, c.resource),
          h('span', { class: `outcome outcome-${c.outcome}` }, c.outcome),
          c.reason,
        ],
      }))),
    a.missingGrants.length
      ? [h('h2', {}, 'Missing grants'),
        h('p', { class: 'muted' }, 'Statements the principal\'s policy would need:'),
        h('pre', { class: 'policy wide', testid: 'access-missing' }, JSON.stringify(a.missingGrants, null, 2))]
      : h('p', { class: 'muted', testid: 'access-missing-none' }, 'Nothing is missing.'),
  );
}
