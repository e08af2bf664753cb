# budgets: monthly_usd is required and more than 0, warn_at is from 0 to 1, principals must be
# configured, tag budgets are KEY = { VALUE = {...} }, an undeclared profile is a warning.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
budgets = {
  profiles   = { rd-haiku-45 = { monthly_usd = 0, warn_at = 1.5 }, rd-later = { warn_at = 0.5 } }
  principals = { nobody = { monthly_usd = 10, limit = 3 } }
  tags       = { billing-mode = { rd = 500 }, team = 3 }
  period     = "month"
}
