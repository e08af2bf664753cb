# A catalog model no profile uses, without a price, is a warning: a profile may
# still be created for it at runtime, whose calls could not be costed.
account_id   = "123456789012"
region       = "eu-central-1"
catalog_file = "files/catalog-opus-41.json"
inference_profiles = {
  rd-sonnet-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
  }
}
