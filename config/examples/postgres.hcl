# bedrock-profiles: one of N instances sharing their profiles on PostgreSQL
# (docs/deploy.md, "Several instances on one PostgreSQL"). Every instance
# reads the same file; what differs between them (the listen address) and
# every secret (the database password, the principals' keys, the metrics
# token) come from the environment: /etc/bedrock-profiles/postgres.env and
# instance-N.env under the template unit bedrock-profiles@.service.
#
# The profiles, regions and routing are the shipped config's
# (config/bedrock-profiles.hcl); the principals are the same two roles with
# access keys of your own: replace both access_key_id values, and put the
# secrets in the variables named by secret_access_key_env.

account_id = "123456789012"
region     = "eu-central-1"

default_tags = {
  Environment  = "rd"
  Owner        = "platform-engineering"
  CostCenter   = "rd"
  billing-mode = "standard"
}

# The profiles live in PostgreSQL. Only an empty database is filled from
# here (the first instance to start does it, under a lock); afterwards
# `apply` through any instance changes them for all.
storage = {
  backend = "postgres"
  # postgresql://USER@HOST:PORT/DBNAME?sslmode=verify-full&sslrootcert=...
  # The password is not in the URL: libpq reads PGPASSWORD (or PGPASSFILE).
  url_env = "BP_DATABASE_URL"
}

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

routing = {
  policy            = "home-first"
  home_region       = "eu-central-1"
  failure_threshold = 3
  open_seconds      = 30
  max_attempts      = 3
}

# Scrapers read each instance's GET /metrics directly (not through the load
# balancer) with `Authorization: Bearer <token>`.
metrics = { bearer_token_env = "BP_METRICS_TOKEN" }

principals = {
  platform-admin = {
    arn                   = "arn:aws:iam::123456789012:role/platform-admin"
    access_key_id         = "AKIAEXAMPLEPLATFORM1"
    secret_access_key_env = "BP_SECRET_PLATFORM_ADMIN"
    policy                = <<-EOT
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
          { "Sid": "ReadMetrics", "Effect": "Allow", "Action": "bedrock-profiles:GetMetrics", "Resource": "*" }
        ]
      }
    EOT
  }

  rd-e2e = {
    arn                   = "arn:aws:iam::123456789012:role/rd-e2e"
    access_key_id         = "AKIAEXAMPLERDE2E0001"
    secret_access_key_env = "BP_SECRET_RD_E2E"
    policy                = <<-EOT
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
          }
        ]
      }
    EOT
  }
}
