# Models the catalog does not know.
account_id = "123456789012"
region     = "eu-central-1"
inference_profiles = {
  rd-llama = { model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.meta.llama3-70b-instruct-v1:0" }
  rd-titan = { model_arn = "arn:aws:bedrock:eu-central-1::foundation-model/amazon.titan-text-express-v1" }
}
