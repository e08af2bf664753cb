# metering: retentions are "<n>h|d|w" or "forever", strings, roll-ups at least 32d and at least
# as long as raw records (also against the 400d default), unknown keys.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
metering = {
  raw_retention    = "30days"
  rollup_retention = 400
  raw_retension    = "30d"
}
