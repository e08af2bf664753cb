# An attribute without "=".
account_id "123456789012"
