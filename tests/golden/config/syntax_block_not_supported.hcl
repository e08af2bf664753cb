# Terraform block syntax is not data.
account_id = "123456789012"
region     = "eu-central-1"
default_tags {
  a = "b"
}
