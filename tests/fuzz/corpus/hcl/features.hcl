# Every feature of the format in one valid file.
account_id = "123456789012"   // trailing comments of both kinds
region     = "eu-west-1"
/* a block
   comment */
default_tags = {
  Environment    = "rd"
  "cost center"  : "rd-42"       # quoted key, ':' separator
  billing-mode   = "standard", Owner = "platform"
}

inference_profiles = {
  rd-haiku-45 = {
    model_arn   = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    description = "Claude Haiku 4.5: research_ops-team"
    id          = null            # null means "not set"
    tags        = { billing-mode = "rd" }
  }
  rd-sonnet-4-west3 = {
    model_arn = "arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"
  }
}

principals = {
  ci = {
    arn                   = "arn:aws:iam::123456789012:user/ci/runner"
    access_key_id         = "AKIAGOLDEN0000000001"
    secret_access_key_env = "BP_GOLDEN_SECRET"
    session_token_env     = "BP_GOLDEN_TOKEN"
    api_key_sha256        = ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                             "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210",]
    policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "bedrock:*",
                       "Resource": "arn:aws:iam::*:user/$${aws:username}"}]
      }
      EOT
    policies     = ["{\"Statement\": [], \"Id\": \"tab\\there \u00e9\"}"]
    policy_files = ["files/allow-invoke.json"]
    tags         = { team = "ci", "cost/center" = "rd" }
  }
}
