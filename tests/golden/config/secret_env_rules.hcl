# *_env names a variable that must be set and non-empty.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  unset = {
    arn = "arn:aws:iam::123456789012:role/unset"
    access_key_id = "AKIAGOLDEN0000000001"
    secret_access_key_env = "BP_GOLDEN_UNSET"
    policy = "{\"Statement\": []}"
  }
  empty = {
    arn = "arn:aws:iam::123456789012:role/empty"
    access_key_id = "AKIAGOLDEN0000000002"
    secret_access_key_env = "BP_GOLDEN_EMPTY"
    policy = "{\"Statement\": []}"
  }
  badname = {
    arn = "arn:aws:iam::123456789012:role/badname"
    access_key_id = "AKIAGOLDEN0000000003"
    secret_access_key_env = "BP-GOLDEN"
    session_token_env = "BP_GOLDEN_UNSET_TOKEN"
    policy = "{\"Statement\": []}"
  }
}
