# Tag keys outside [A-Za-z0-9_-] are shown as tags["key"].
account_id = "123456789012"
region     = "eu-central-1"

default_tags = {
  Environment  = "rd"
  Owner        = "platform-engineering"
  CostCenter   = "rd"
  billing-mode = "standard"
}

inference_profiles = {
  rd-haiku-45 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    description = "Claude Haiku 4.5 for research"
    tags        = { billing-mode = "rd", "cost center" = "R and D", "team:owner" = "a@b.c" }
  }

  rd-sonnet-4 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0"
    description = "Claude Sonnet 4 for research"
    tags        = { billing-mode = "rd" }
  }
}
