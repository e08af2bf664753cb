# A catalog file with an error (unknown-model): reported at its file:line:col; profiles are not checked.
account_id   = "123456789012"
region       = "eu-central-1"
catalog_file = "files/catalog-unknown-model.json"
inference_profiles = {
  rd-opus-41 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0"
  }
}
