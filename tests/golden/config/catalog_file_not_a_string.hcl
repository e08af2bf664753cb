# catalog_file must be a string naming a file.
account_id   = "123456789012"
region       = "eu-central-1"
catalog_file = ["files/catalog-opus-41.json"]
