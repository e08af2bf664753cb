# Principals are IAM roles or users.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  a = {
    arn = "arn:aws:iam::123456789012:group/devs"
    access_key_id = "AKIAGOLDEN0000000001"
    secret_access_key = "s"
    policy = "{\"Statement\": []}"
  }
  b = {
    arn = "arn:aws:sts::123456789012:assumed-role/r/s"
    access_key_id = "AKIAGOLDEN0000000002"
    secret_access_key = "s"
    policy = "{\"Statement\": []}"
  }
  c = {
    arn = "arn:aws:iam::1234:role/r"
    access_key_id = "AKIAGOLDEN0000000003"
    secret_access_key = "s"
    policy = "{\"Statement\": []}"
  }
}
