# guardrails: a valid section (words, RE2 patterns, messages, a published version).
account_id = "123456789012"
region = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
guardrails = {
  no-secrets = {
    id                      = "gr4x8k2m9q1z"
    version                 = "1"
    blocked_input_words     = ["project zeus", "password"]
    blocked_output_patterns = ["[0-9]{3}-[0-9]{2}-[0-9]{4}", "(?i)api[_-]?key"]
    blocked_input_message   = "That topic is off limits here."
  }
  empty = {
    id = "gr0000000001"
  }
}
