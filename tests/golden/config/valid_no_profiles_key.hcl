# Only the required keys: valid, with a warning.
account_id = "123456789012"
region     = "eu-central-1"
