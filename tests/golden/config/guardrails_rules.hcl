# guardrails: every rule of the section, each at its file:line:col.
account_id = "123456789012"
region = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
guardrails = {
  "bad name!" = {
    id = "GR-UPPER"
  }
  pii = {
    id                      = "gr4x8k2m9q1z"
    version                 = "DRAFT"
    blocked_input_words     = ["secret", "SECRET", ""]
    blocked_output_patterns = ["(unclosed", "ok[0-9]+", "(a)\\1"]
    blocked_output_message  = ""
    blocked_words           = ["x"]
  }
  pii-copy = {
    id      = "gr4x8k2m9q1z"
    version = "01"
  }
  no-id = {
    blocked_input_patterns = [1]
  }
}
