# Valid, with advice: no profiles, a principal without a policy.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {}
principals = {
  reader = {
    arn               = "arn:aws:iam::123456789012:role/reader"
    access_key_id     = "AKIAGOLDEN0000000001"
    secret_access_key = "x"
  }
}
