# Required keys: account_id, region, model_arn, arn, access_key_id, a secret.
inference_profiles = {
  rd-haiku-45 = { description = "no arn" }
}
principals = {
  p = { policy = "{\"Statement\": []}" }
}
