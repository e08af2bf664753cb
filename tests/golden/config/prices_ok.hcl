# prices: a config's own entries replace the built-in price of their model, and
# price_multipliers replace the built-in multiplier of their region or tier.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
prices = {
  # A negotiated rate (private pricing), not AWS's list price.
  "anthropic.claude-haiku-4-5-20251001-v1:0" = {
    input = 0.90, output = 4.50, cache_read = 0.09, cache_write_5m = 1.125, cache_write_1h = 1.80
  }
  "anthropic.claude-3-haiku-20240307-v1:0" = {
    input = 0, output = 0, cache_read = 0, cache_write_5m = 0, cache_write_1h = 0
  }
}
price_multipliers = {
  regions       = { eu-west-3 = 1.05 }
  service_tiers = { priority = 2, flex = 0.5 }
}
