// Fixed-seed generator of IAM cases (policies + one request) in the format of the golden
// sets (spec/testdata/iam/README.md). It draws from what both deciders are meant to agree
// on; the patterns left out, and why, are listed in README.md ("What the generator leaves
// out") and docs/auth.md.

// mulberry32: a small deterministic PRNG, so a seed names one sequence of cases forever.
export function makeRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => next() < p,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    some: (list, lo, hi) => {
      const n = lo + Math.floor(next() * (hi - lo + 1));
      return Array.from({ length: n }, () => list[Math.floor(next() * list.length)]);
    },
  };
}

export const ACCOUNT = '123456789012';
const REGIONS = ['eu-west-1', 'eu-central-1'];
const PROFILE_IDS = ['alice', 'bob', 'p-alice', 'acwt9yee9wzo'];
const MODEL_IDS = ['anthropic.claude-haiku-4-5-20251001-v1:0', 'amazon.nova-lite-v1:0'];
const PRINCIPALS = [
  `arn:aws:iam::${ACCOUNT}:role/rd-e2e`,
  `arn:aws:iam::${ACCOUNT}:role/alice`,
  `arn:aws:iam::${ACCOUNT}:user/alice`,
];
const ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
const ACTION_PATTERNS = [
  '*', 'bedrock:*', 'bedrock:Invoke*', 'bedrock:InvokeModel', 'bedrock:invokemodel',
  'bedrock:InvokeModel*', 'bedrock:InvokeModelWith*', 'bedrock:Get*', 'bedrock:?nvokeModel',
  's3:GetObject',
];

// Variables of single-valued keys only (a multi-valued key is no variable value).
const VARIABLES = [
  '${aws:username}', '${aws:PrincipalTag/team}', '${aws:PrincipalTag/profile}',
  "${aws:username, 'bob'}", "${aws:PrincipalTag/profile, 'alice'}", '${aws:userid}',
];

const profileArn = (region, id) =>
  `arn:aws:bedrock:${region}:${ACCOUNT}:application-inference-profile/${id}`;
const modelArn = (region, id) => `arn:aws:bedrock:${region}::foundation-model/${id}`;

function requestResource(r) {
  return r.chance(0.6)
    ? profileArn(r.pick(REGIONS), r.pick(PROFILE_IDS))
    : modelArn(r.pick(REGIONS), r.pick(MODEL_IDS));
}

// Resource entries. A variable sits in the resource part only (AWS allows it nowhere
// else); in NotResource it is the whole id after the type, see README.md.
function resourceEntry(r, notResource) {
  const region = r.pick([...REGIONS, '*']);
  const account = r.pick([ACCOUNT, '*']);
  const options = [
    () => '*',
    () => profileArn(r.pick(REGIONS), r.pick(PROFILE_IDS)),
    () => modelArn(r.pick(REGIONS), r.pick(MODEL_IDS)),
    () => `arn:aws:bedrock:${region}:${account}:application-inference-profile/*`,
    () => `arn:aws:bedrock:${region}:${account}:application-inference-profile/${r.pick(['a*', '?ob', 'p-*', '*e'])}`,
    () => `arn:aws:bedrock:${region}::foundation-model/${r.pick(['anthropic.*', '*', 'amazon.nova-lite-v1:?'])}`,
    () => `arn:aws:bedrock:${region}:*:foundation-model/*`,
    () => `arn:aws:bedrock:${region}:${account}:application-inference-profile/${r.pick(VARIABLES)}`,
    () => `arn:aws:bedrock:${region}::foundation-model/${r.pick(VARIABLES)}`,
  ];
  if (!notResource) {
    options.push(() => `arn:aws:bedrock:${region}:${account}:application-inference-profile/p-${r.pick(VARIABLES)}`);
    options.push(() => `arn:aws:bedrock:${region}:${account}:application-inference-profile/${r.pick(VARIABLES)}*`);
  }
  return r.pick(options)();
}

// Context keys and the values a request may carry.
const CONTEXT = {
  'aws:username': ['alice', 'bob', 'Alice'],
  'aws:userid': ['AIDAEXAMPLE', 'alice'],
  'aws:PrincipalTag/team': ['research', 'Research', 'dev', 'alice'],
  'aws:PrincipalTag/profile': ['alice', 'acwt9yee9wzo', 'bob'],
  'aws:RequestedRegion': REGIONS,
  'aws:SourceIp': ['10.1.2.3', '192.0.2.7', '2001:db8::1', '203.0.113.5'],
  'aws:CurrentTime': ['2026-01-01T00:00:00Z', '2026-06-15T12:30:00Z', '2027-03-01T00:00:00Z'],
  'aws:EpochTime': ['1767225600', '1781526600', '1800000000'],
  'aws:MultiFactorAuthAge': ['0', '3600', '86400'],
  'aws:SecureTransport': ['true', 'false'],
  'aws:TagKeys': 'list',
};
const TAG_KEYS = ['team', 'env', 'owner', 'alice', 'Team'];

function context(r) {
  const out = {};
  for (const [key, values] of Object.entries(CONTEXT)) {
    if (!r.chance(key === 'aws:username' ? 0.5 : 0.6)) continue;
    out[key] = values === 'list' ? [...new Set(r.some(TAG_KEYS, 0, 3))] : r.pick(values);
  }
  return out;
}

const maybeVariable = (r, plain) => (r.chance(0.35) ? r.pick(VARIABLES) : plain);

// One condition: [operator, key, values]. Every family except BinaryEquals; variables
// only in String and Arn values (the families that resolve them).
function condition(r) {
  const qualifier = r.chance(0.3) ? 'IfExists' : '';
  const family = r.pick(['string', 'string', 'set', 'numeric', 'date', 'epoch', 'bool', 'ip', 'arn', 'null']);
  switch (family) {
    case 'string': {
      const op = r.pick(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase',
        'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']);
      const key = r.pick(['aws:username', 'aws:userid', 'aws:PrincipalTag/team',
        'aws:PrincipalTag/profile', 'aws:RequestedRegion']);
      const plain = op.includes('Like')
        ? ['al*', '*e', 're?earch', 'research', 'eu-*', '*', 'b?b']
        : ['alice', 'bob', 'research', 'RESEARCH', 'eu-west-1', 'acwt9yee9wzo'];
      const values = Array.from({ length: r.int(1, 3) }, () => maybeVariable(r, r.pick(plain)));
      return [op + qualifier, key, values];
    }
    case 'set': {
      const op = r.pick(['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike',
        'StringEqualsIgnoreCase']);
      const plain = op.includes('Like') ? ['t*', '*e*', 'own?r', 'team'] : TAG_KEYS;
      const values = Array.from({ length: r.int(1, 3) }, () => maybeVariable(r, r.pick(plain)));
      return [`${r.pick(['ForAnyValue', 'ForAllValues'])}:${op}${qualifier}`, 'aws:TagKeys', values];
    }
    case 'numeric': {
      const op = r.pick(['NumericEquals', 'NumericNotEquals', 'NumericLessThan',
        'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals']);
      return [op + qualifier, 'aws:MultiFactorAuthAge', r.some(['0', '3600', '100', '86400.5', '-1'], 1, 2)];
    }
    case 'date':
    case 'epoch': {
      const op = r.pick(['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals',
        'DateGreaterThan', 'DateGreaterThanEquals']);
      return family === 'date'
        ? [op + qualifier, 'aws:CurrentTime', r.some(CONTEXT['aws:CurrentTime'], 1, 2)]
        : [op + qualifier, 'aws:EpochTime', r.some(CONTEXT['aws:EpochTime'], 1, 2)];
    }
    case 'bool':
      return ['Bool' + qualifier, 'aws:SecureTransport', r.pick(['true', 'false'])];
    case 'ip': {
      const op = r.pick(['IpAddress', 'NotIpAddress']);
      return [op + qualifier, 'aws:SourceIp',
        r.some(['10.0.0.0/8', '10.1.2.0/24', '192.0.2.0/24', '2001:db8::/32', '203.0.113.5/32'], 1, 2)];
    }
    case 'arn': {
      const op = r.pick(['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']);
      const plain = [`arn:aws:iam::${ACCOUNT}:role/rd-*`, 'arn:aws:iam::*:role/rd-e2e',
        `arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:iam::${ACCOUNT}:role/alice`];
      const values = Array.from({ length: r.int(1, 2) }, () =>
        r.chance(0.4) ? `arn:aws:iam::${ACCOUNT}:${r.pick(['role', 'user'])}/${r.pick(VARIABLES)}` : r.pick(plain));
      return [op + qualifier, 'aws:PrincipalArn', values];
    }
    default:
      return ['Null', r.pick(['aws:username', 'aws:PrincipalTag/team', 'aws:TagKeys', 'aws:SourceIp']),
        r.pick(['true', 'false'])];
  }
}

function statement(r, index) {
  const st = {};
  if (r.chance(0.5)) st.Sid = `S${index}`;
  st.Effect = r.chance(0.55) ? 'Allow' : 'Deny';
  const actions = r.some(ACTION_PATTERNS, 1, 2);
  st[r.chance(0.15) ? 'NotAction' : 'Action'] = actions.length === 1 && r.chance(0.5) ? actions[0] : actions;
  const notResource = r.chance(0.25);
  const resources = Array.from({ length: r.int(1, 3) }, () => resourceEntry(r, notResource));
  st[notResource ? 'NotResource' : 'Resource'] = resources.length === 1 && r.chance(0.5) ? resources[0] : resources;
  if (r.chance(0.65)) {
    const block = {};
    for (let i = r.int(1, 2); i > 0; --i) {
      const [op, key, values] = condition(r);
      block[op] = block[op] || {};
      block[op][key] = values;
    }
    st.Condition = block;
  }
  return st;
}

export function generateCase(r) {
  const policies = Array.from({ length: r.int(1, 2) }, () => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: r.int(1, 3) }, (_, i) => statement(r, i)),
  }));
  return {
    description: 'generated by tests/iam-diff',
    policies,
    request: {
      principal: r.pick(PRINCIPALS),
      action: r.pick(ACTIONS),
      resource: requestResource(r),
      context: context(r),
    },
  };
}
