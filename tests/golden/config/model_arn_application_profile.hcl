# An application profile cannot be the source of another.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo"
  }
}
