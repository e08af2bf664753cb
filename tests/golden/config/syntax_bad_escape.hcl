# \q is no escape.
account_id = "123456789012"
region     = "eu-central-1"
default_tags = { team = "a\qb" }
