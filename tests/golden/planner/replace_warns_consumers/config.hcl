# Replacing rd-haiku-45 and destroying rd-sonnet-4 warn about the principals whose policies
# name their ARNs (they stop matching); a wildcard policy is not listed.
account_id = "123456789012"
region     = "eu-central-1"

default_tags = {
  Environment  = "rd"
  Owner        = "platform-engineering"
  CostCenter   = "rd"
  billing-mode = "standard"
}

inference_profiles = {
  rd-haiku-45 = {
    model_arn   = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"
    description = "Claude Haiku 4.5 for research"
    tags        = { billing-mode = "rd" }
  }

}

principals = {
  rd-e2e = {
    arn               = "arn:aws:iam::123456789012:role/rd-e2e"
    access_key_id     = "AKIAGOLDENRDE2E00001"
    secret_access_key = "goldenSecretKeyForThePlannerCase000000"
    policy            = <<-EOT
      { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "bedrock:InvokeModel",
        "Resource": [ "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/acwt9yee9wzo",
                      "arn:aws:bedrock:*:123456789012:application-inference-profile/tkxdfdh17c6o" ] } ] }
    EOT
  }
  wildcard = {
    arn               = "arn:aws:iam::123456789012:role/wildcard"
    access_key_id     = "AKIAGOLDENWILDCARD01"
    secret_access_key = "goldenSecretKeyForThePlannerCase000001"
    policy            = <<-EOT
      { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "bedrock:*",
        "Resource": "arn:aws:bedrock:*:123456789012:application-inference-profile/*" } ] }
    EOT
  }
}
