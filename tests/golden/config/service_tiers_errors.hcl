# regions.*.service_tiers: a list of known tier names, without repeats, never empty.
account_id = "123456789012"
region = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
regions = {
  eu-central-1 = { service_tiers = ["default", "priorty"] }
  eu-west-1    = { service_tiers = [] }
  eu-west-3    = { service_tiers = ["flex", "flex"] }
  eu-north-1   = { service_tiers = "flex" }
  eu-south-1   = { service_tiers = ["standard"] }
  eu-south-2   = { service_tiers = ["default", "reserved"] }
}
