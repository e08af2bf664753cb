# A profile whose model has no price is an error, not a $0 line: the catalog
# file adds Claude Opus 4.1, which the built-in price list does not price.
account_id   = "123456789012"
region       = "eu-central-1"
catalog_file = "files/catalog-opus-41.json"
inference_profiles = {
  rd-opus-41 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0"
  }
}
