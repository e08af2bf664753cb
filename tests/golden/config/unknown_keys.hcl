# Unknown keys, with and without a close match.
account_id = "123456789012"
region     = "eu-central-1"
regoin = "eu-west-1"
profiles = {}
inference_profiles = {
  rd-haiku-45 = {
    model-arn = "x"
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    colour = "blue"
  }
}
principals = {
  rd-e2e = {
    arn               = "arn:aws:iam::123456789012:role/rd-e2e"
    access_key_id     = "AKIAGOLDEN0000000001"
    secret_access_key = "inline-secret-not-shown"
    policy            = "{\"Statement\": []}"
    secret_key = "zzz"
    polcy = "{}"
  }
}
