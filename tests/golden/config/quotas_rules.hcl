# quotas: limits are whole numbers from 1 to 10^12 under known keys; principals
# must be configured; pair keys are "PRINCIPAL/PROFILE"; an undeclared profile
# or a key without a limit is a warning.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  rd-e2e = {
    arn               = "arn:aws:iam::123456789012:role/rd-e2e"
    access_key_id     = "AKIAGOLDEN0000000001"
    secret_access_key = "inline-secret-not-shown"
    policy            = "{\"Statement\": []}"
  }
}
quotas = {
  profiles = {
    rd-haiku-45 = { requests_per_minute = 0, tokens_per_minute = 1.5, rpm = 3 }
    rd-later    = { tokens_per_day = 1000 }
    rd-empty    = {}
  }
  principals = { rd-e2f = { requests_per_minute = 5 }, rd-e2e = 7 }
  pairs      = { "rd-e2e" = { requests_per_minute = 1 }, "nobody/rd-haiku-45" = { requests_per_minute = 1 } }
  default_max_tokens = 0
  burst = 2
}
