# Every value of the wrong kind.
account_id = true
region = ["eu-central-1"]
default_tags = { a = 1, b = ["x"], c = null }
inference_profiles = {
  rd-a = "arn"
  rd-b = { model_arn = 5, description = {}, tags = [] }
}
principals = {
  p = {
    arn = 1
    access_key_id = 2
    secret_access_key = 3
    api_key_sha256 = 4
    policy = {}
    policies = "x"
    tags = "y"
  }
}
