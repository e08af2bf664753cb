// The data API's answers, as docs/dashboard.md ("Data API") defines them. Times are ms since
// the epoch; money is USD.

export type PageName = 'profiles' | 'usage' | 'health' | 'requests' | 'access';
export type Scope = 'all' | 'own' | 'none';

export interface Session {
  principal: string;
  arn: string;
  csrfToken: string;
  idleTimeoutSeconds: number;
  pages: {
    profiles: boolean;
    usage: Scope;
    health: boolean;
    requests: Scope;
    access: boolean;
  };
}

export interface Profile {
  name: string;
  id: string;
  arn: string;
  description: string;
  model: string;
  modelArn: string;
  regions: string[];
  tags: Record<string, string>;
  status: string;
  policy: string;
}

export interface UsageFigures {
  requests: number;
  errors: number;
  throttles: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  previousRequests: number;
  previousCostUsd: number;
  costChangePct: number | null;
}

export interface UsageRank extends UsageFigures {
  key: string;
}

export interface UsageSeries {
  key: string;
  requests: number[];
  tokens: number[];
  costUsd: number[];
}

export interface Budget {
  name: string;
  limitUsd: number;
  spentUsd: number;
  periodStart: number;
  periodEnd: number;
  projectedUsd: number;
  burn: [number, number][];
}

export interface Usage {
  from: number;
  to: number;
  bucketMs: number;
  by: string;
  scope: 'all' | 'own';
  buckets: number[];
  series: UsageSeries[];
  ranking: UsageRank[];
  total: UsageFigures;
  budgets: Budget[];
}

export interface RegionHealth {
  region: string;
  /** null: calls that no configured region served. */
  circuit: 'closed' | 'open' | null;
  consecutiveFailures: number;
  outstanding: number;
  requests: number;
  errors: number;
  throttles: number;
  errorRate: number;
  throttleRate: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  ttftP50Ms: number | null;
  ttftP99Ms: number | null;
}

export interface Health {
  from: number;
  to: number;
  regions: RegionHealth[];
}

export interface RequestRecord {
  time: number;
  requestId: string;
  principal: string;
  principalArn: string;
  profile: string;
  profileArn: string;
  model: string;
  operation: string;
  /** The HTTP status the caller got. */
  status: number;
  /** The AWS error code; empty for a call that succeeded. */
  errorCode: string;
  /** A stream that ended early (status 200, errorCode set). */
  cutShort?: boolean;
  sourceRegion: string;
  servingRegion: string;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  latencyMs: number;
  ttftMs: number | null;
  costUsd: number;
  serviceTier: string;
}

export interface Principals {
  principals: { name: string; arn: string }[];
  profiles: string[];
}

export interface AccessCheck {
  action: string;
  resource: string;
  allowed: boolean;
  outcome: 'allow' | 'implicitDeny' | 'explicitDeny';
  reason: string;
}

export interface Access {
  principal: string;
  profile: string;
  action: string;
  allowed: boolean;
  checks: AccessCheck[];
  missingGrants: Record<string, unknown>[];
}
