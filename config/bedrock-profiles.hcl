# bedrock-profiles: the shipped default configuration.
#
# It reproduces the seed's table (global/bedrock/): two shared application
# inference profiles for R&D, sourced from the EU cross-region system profiles
# so traffic stays in eu-central-1, eu-west-1 and eu-west-3.
#
# The two principals below are for LOCAL USE ONLY. Their keys are public (they
# are printed in README.md); `serve` refuses to listen on a non-loopback
# address while they are configured.

account_id = "123456789012"
region     = "eu-central-1"

# ADR-0006: the Tier 1 tag set, on every resource.
default_tags = {
  Environment  = "rd"
  Owner        = "platform-engineering"
  CostCenter   = "rd"
  billing-mode = "standard"
}

# ADR-0007: the only models callers may name.
inference_profiles = {
  rd-haiku-45 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    description = "Claude Haiku 4.5 for research"
    id          = "acwt9yee9wzo"
    tags        = { billing-mode = "rd" }
  }

  rd-sonnet-4 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0"
    description = "Claude Sonnet 4 for research"
    id          = "tkxdfdh17c6o"
    tags        = { billing-mode = "rd" }
  }
}

# Where calls are served. Every call through a profile goes to one of its
# destination regions; here each answers from the built-in simulated model
# (deterministic, offline). `faults` (error_rate, throttle_rate,
# mid_stream_error_rate, outage) injects failures for drills.
regions = {
  eu-central-1 = {
    backend   = "simulated"
    simulated = { time_to_first_token_ms = 200, tokens_per_second = 150 }
  }
  eu-west-1 = {
    backend   = "simulated"
    simulated = { time_to_first_token_ms = 250, tokens_per_second = 150 }
  }
  eu-west-3 = {
    backend   = "simulated"
    simulated = { time_to_first_token_ms = 300, tokens_per_second = 150 }
  }
}

# What calls cost: without a `prices` section, the built-in price list
# (config/model-prices.hcl: AWS's on-demand prices for every catalog model,
# each with its source and date) applies. An entry here replaces the built-in
# price of its model, in USD per million tokens (docs/config.md, "Prices"):
#
# prices = {
#   "anthropic.claude-haiku-4-5-20251001-v1:0" = {
#     input = 1.10, output = 5.50, cache_read = 0.11, cache_write_5m = 1.375, cache_write_1h = 2.20
#   }
# }
# price_multipliers = { service_tiers = { priority = 1.75, flex = 0.5 } }

# How a call picks its region: the home region first, overflowing to the
# others when it is busy; a region failing 3 times in a row is skipped for
# 30 s (doubling up to 5 min), and a failed attempt is retried elsewhere
# before the first byte reaches the caller.
routing = {
  policy            = "home-first"
  home_region       = "eu-central-1"
  failure_threshold = 3
  open_seconds      = 30
  max_attempts      = 3
}

principals = {
  # Platform engineers: manage profiles (the control plane) and call them, and
  # read what was used and the endpoint's metrics. `bedrock:*` covers no
  # bedrock-profiles:* action: GetUsage (GET /usage, on this endpoint's usage
  # ARN), GetMetrics (GET /metrics from a non-loopback peer, on "*"), and the
  # dashboard's GetHealth and SimulatePrincipalPolicy (/ui/, on the health ARN
  # and on the principals' ARNs) are granted by name (docs/auth.md,
  # docs/dashboard.md).
  platform-admin = {
    arn               = "arn:aws:iam::123456789012:role/platform-admin"
    access_key_id     = "AKIABPLOCALADMIN0001"
    secret_access_key = "bpLocalAdminSecretKeyDoNotUseOutsideDev1"
    policy            = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          { "Sid": "AdministerBedrock", "Effect": "Allow", "Action": "bedrock:*", "Resource": "*" },
          {
            "Sid": "ReadUsage",
            "Effect": "Allow",
            "Action": "bedrock-profiles:GetUsage",
            "Resource": "arn:aws:bedrock-profiles:eu-central-1:123456789012:usage"
          },
          { "Sid": "ReadMetrics", "Effect": "Allow", "Action": "bedrock-profiles:GetMetrics", "Resource": "*" },
          {
            "Sid": "ReadHealth",
            "Effect": "Allow",
            "Action": "bedrock-profiles:GetHealth",
            "Resource": "arn:aws:bedrock-profiles:eu-central-1:123456789012:health"
          },
          {
            "Sid": "SimulatePrincipals",
            "Effect": "Allow",
            "Action": "bedrock-profiles:SimulatePrincipalPolicy",
            "Resource": "arn:aws:iam::123456789012:role/*"
          }
        ]
      }
    EOT
  }

  # An R&D consumer holding the seed's required policy for both profiles, and
  # the right to see its own calls on the dashboard (/ui/, GetOwnUsage).
  rd-e2e = {
    arn               = "arn:aws:iam::123456789012:role/rd-e2e"
    access_key_id     = "AKIABPLOCALRDE2E0001"
    secret_access_key = "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1"
    policy            = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "InvokeBedrockProfile",
            "Effect": "Allow",
            "Action": [
              "bedrock:InvokeModel",
              "bedrock:InvokeModelWithResponseStream"
            ],
            "Resource": [
              "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo",
              "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/tkxdfdh17c6o"
            ]
          },
          {
            "Sid": "InvokeFoundationModel",
            "Effect": "Allow",
            "Action": [
              "bedrock:InvokeModel",
              "bedrock:InvokeModelWithResponseStream"
            ],
            "Resource": [
              "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
              "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
            ]
          },
          {
            "Sid": "ReadOwnUsage",
            "Effect": "Allow",
            "Action": "bedrock-profiles:GetOwnUsage",
            "Resource": "arn:aws:bedrock-profiles:eu-central-1:123456789012:usage"
          }
        ]
      }
    EOT
  }
}

# Profiles stay in SQLite in the state directory (one instance). Several instances share
# them on PostgreSQL with (docs/config.md "Storage"; the password goes in the variable, in
# PGPASSWORD or ~/.pgpass, never in this file):
# storage = {
#   backend = "postgres"
#   url_env = "BP_DATABASE_URL"   # or url = "postgresql://bp@db.internal:5432/profiles"
# }
