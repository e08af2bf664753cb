# catalog_file merges a catalog over the built-in one: a profile may use the model it adds
# (which then needs a price: the built-in price list has none for it).
account_id   = "123456789012"
region       = "eu-central-1"
catalog_file = "files/catalog-opus-41.json"
inference_profiles = {
  rd-opus-41 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0"
  }
  rd-sonnet-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
  }
}
prices = {
  # Anthropic's list price for Claude Opus 4.1 (platform.claude.com pricing, read 2026-12-02).
  "anthropic.claude-opus-4-1-20250805-v1:0" = {
    input = 15, output = 75, cache_read = 1.50, cache_write_5m = 18.75, cache_write_1h = 30
  }
}
