# prices: every figure is required, a number from 0 to 1000000 with at most 6
# decimals; the key names a catalog foundation model (not a profile id); and
# multipliers are more than 0, on EU regions and Bedrock's four tiers.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
prices = {
  "anthropic.claude-haiku-4-5-20251001-v2:0" = {
    input = 1, output = 5, cache_read = 0.1, cache_write_5m = 1.25, cache_write_1h = 2
  }
  "eu.anthropic.claude-sonnet-4-20250514-v1:0" = {
    input = 3, output = 15, cache_read = 0.3, cache_write_5m = 3.75, cache_write_1h = 6
  }
  "anthropic.claude-sonnet-4-20250514-v1:0" = {
    input = 3, output = -15, cache_read = 0.0000003, cache_write_5m = "3.75", cache_write = 6
  }
  "anthropic.claude-3-haiku-20240307-v1:0" = 0.25
}
price_multipliers = {
  regions       = { us-east-1 = 1.1, eu-west-1 = 0 }
  service_tiers = { standard = 1, flex = -0.5, batch = 0.5 }
}
