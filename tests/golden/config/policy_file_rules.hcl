# policy_file(s) resolve against this folder; they must exist and be policies.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
principals = {
  p = {
    arn = "arn:aws:iam::123456789012:role/p"
    access_key_id = "AKIAGOLDEN0000000001"
    secret_access_key = "s"
    policy_file = "files/allow-invoke.json"
    policy_files = ["files/missing.json", "files/not-a-policy.json", "files", ""]
  }
}
