# Full regions, routing and approvals sections: every knob set, all valid.
account_id = "123456789012"
region = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
regions = {
  eu-central-1 = {
    backend   = "simulated"
    simulated = { time_to_first_token_ms = 0, tokens_per_second = 0 }
  }
  eu-west-1 = {
    simulated = { time_to_first_token_ms = 250, tokens_per_second = 42.5 }
    faults    = { error_rate = 0.1, throttle_rate = 0.05, mid_stream_error_rate = 0.01, outage = false, seed = 7 }
  }
  eu-west-3 = { faults = { outage = true } }
}
routing = {
  policy               = "least-outstanding"
  home_region          = "eu-west-1"
  overflow_outstanding = 16
  failure_threshold    = 2
  open_seconds         = 0.5
  max_open_seconds     = 60
  max_attempts         = 2
  first_token_timeout_ms = 5000
}
approvals = { required = 2 }
