# quotas: per profile, per principal and per principal/profile pair, with the
# default maxTokens reserved for calls that set none.
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
  profiles   = { rd-haiku-45 = { requests_per_minute = 60, tokens_per_minute = 100000, tokens_per_day = 2000000 } }
  principals = { rd-e2e = { requests_per_minute = 20 } }
  pairs      = { "rd-e2e/rd-haiku-45" = { tokens_per_minute = 50000 } }
  default_max_tokens = 2048
}
