# References and expressions are refused.
account_id = "123456789012"
region     = "eu-central-1"
default_tags = local.tags
