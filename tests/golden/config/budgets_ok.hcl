# budgets: monthly USD per profile, per principal and per value of a profile tag, with a
# warning threshold (default 0.8).
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
budgets = {
  profiles   = { rd-haiku-45 = { monthly_usd = 100, warn_at = 0.9 } }
  principals = { rd-e2e = { monthly_usd = 25.5 } }
  tags       = { billing-mode = { rd = { monthly_usd = 500 } } }
}
