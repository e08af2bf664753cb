# Wrong kinds, out-of-range numbers, unknown keys and values in regions/routing/approvals.
account_id = "123456789012"
region = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
regions = {
  eu-central-1 = {
    backend   = "bedrock"
    simulated = { time_to_first_token_ms = -1, tokens_per_second = "fast" }
  }
  eu-west-1 = {
    backend = "simulted"
    faults  = { error_rate = 1.5, outage = "yes", seed = 1.5, drop = 1 }
  }
  eu-west-3 = { simulated = { ttft = 1 } }
  us-east-1 = {}
}
routing = {
  policy       = "round-robin"
  home_region  = "eu-north-1"
  max_attempts = 0
  open_seconds = 10
  max_open_seconds = 5
}
approvals = { required = 11, by = "x" }
