# Foundation models only where the catalog serves them; no account.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-haiku-north = { model_arn = "arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0" }
  rd-haiku-acct  = { model_arn = "arn:aws:bedrock:eu-west-1:123456789012:foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0" }
}
