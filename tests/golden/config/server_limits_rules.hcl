# server = { ... }: ranges, whole numbers, unknown keys, and the header
# timeout never longer than the request timeout.
account_id = "123456789012"
region     = "eu-central-1"

inference_profiles = {
  rd-haiku-45 = {
    model_arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}

server = {
  header_timeout_ms        = 200000
  request_timeout_ms       = 100000
  idle_timeout_ms          = 50
  max_connections          = 1.5
  max_body_bytes_in_flight = 1000
  max_conections           = 10
}
