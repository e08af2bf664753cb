# rd-haiku-45 removed from the config: the managed profile is destroyed.
account_id = "123456789012"
region     = "eu-central-1"

default_tags = {
  Environment  = "rd"
  Owner        = "platform-engineering"
  CostCenter   = "rd"
  billing-mode = "standard"
}

inference_profiles = {
  rd-sonnet-4 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0"
    description = "Claude Sonnet 4 for research"
    tags        = { billing-mode = "rd" }
  }
}
