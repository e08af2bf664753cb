# One attribute per line.
account_id = "123456789012" region = "eu-central-1"
