# Not ARNs at all.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku = { model_arn = "eu.anthropic.claude-haiku-4-5-20251001-v1:0" }
  rd-s3    = { model_arn = "arn:aws:s3:::my-bucket" }
  rd-cm    = { model_arn = "arn:aws:bedrock:eu-central-1:123456789012:custom-model/x" }
}
