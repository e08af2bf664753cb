# An empty profile map destroys every managed profile and keeps the others.
account_id = "123456789012"
region     = "eu-central-1"

default_tags = {
  Environment  = "rd"
  Owner        = "platform-engineering"
  CostCenter   = "rd"
  billing-mode = "standard"
}

inference_profiles = {
}
