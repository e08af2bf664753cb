# Access key ids: 16-128 [A-Z0-9], unique.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  a = {
    arn               = "arn:aws:iam::123456789012:role/a"
    access_key_id     = "AKIAGOLDEN0000000001"
    secret_access_key = "inline-secret-not-shown"
    policy            = "{\"Statement\": []}"
  }
  b = {
    arn               = "arn:aws:iam::123456789012:role/b"
    access_key_id     = "AKIAGOLDEN0000000001"
    secret_access_key = "inline-secret-not-shown"
    policy            = "{\"Statement\": []}"
  }
  c = {
    arn               = "arn:aws:iam::123456789012:role/c"
    access_key_id     = "akia-short"
    secret_access_key = "inline-secret-not-shown"
    policy            = "{\"Statement\": []}"
  }
}
