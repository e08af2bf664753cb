# A secret is required, inline or from the environment, not both.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  none = {
    arn = "arn:aws:iam::123456789012:role/none"
    access_key_id = "AKIAGOLDEN0000000001"
    policy = "{\"Statement\": []}"
  }
  both = {
    arn = "arn:aws:iam::123456789012:role/both"
    access_key_id = "AKIAGOLDEN0000000002"
    secret_access_key = "inline-secret-not-shown"
    secret_access_key_env = "BP_GOLDEN_SECRET"
    policy = "{\"Statement\": []}"
  }
  empty = {
    arn = "arn:aws:iam::123456789012:role/empty"
    access_key_id = "AKIAGOLDEN0000000003"
    secret_access_key = ""
    session_token = "token-not-shown"
    session_token_env = "BP_GOLDEN_TOKEN"
    policy = "{\"Statement\": []}"
  }
}
