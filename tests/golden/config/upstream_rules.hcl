# The bedrock and openai blocks of regions: URLs, names, limits, model ids, and a block of the wrong kind.
account_id = "123456789012"
region = "eu-central-1"
inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}
regions = {
  eu-central-1 = {
    backend = "bedrock"
    bedrock = { endpoint = "bedrock-runtime.eu-central-1.amazonaws.com", max_concurrency = 0 }
  }
  eu-south-1 = {
    backend = "bedrock"
    bedrock = {
      model_id = "system_profile"
      profile_model_ids = {
        rd-haiku-45 = "arn:aws:s3:::bucket"
        other       = "has space"
        fine        = "arn:aws:bedrock:eu-south-1:123456789012:application-inference-profile/a1b2c3"
      }
    }
  }
  eu-west-1 = {
    backend = "openai"
    openai  = { base_url = "http://user:pw@127.0.0.1:8080", api_key_env = "1KEY", timeout = 5 }
  }
  eu-west-3 = {
    openai = { base_url = "http://127.0.0.1:8080?x=1", model = "" }
  }
  eu-north-1 = { backend = "openai" }
}
