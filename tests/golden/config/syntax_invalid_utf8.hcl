# A Latin-1 byte in a UTF-8 file.
account_id = "123456789012"
region     = "eu-central-1"
default_tags = { owner = "Jürgen" }
