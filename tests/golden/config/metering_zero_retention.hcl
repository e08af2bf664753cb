# metering: "0h" is not a retention (say "forever" to keep everything), nor is a negative one.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
metering = { raw_retention = "0h", rollup_retention = "-400d" }
