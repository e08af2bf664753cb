# bedrock-profiles: the built-in price list (built into the binary).
#
# USD per million tokens, Amazon Bedrock on-demand (Standard tier), for every
# model of config/model-catalog.json. A config's own `prices` entry for a model
# replaces the one here; its `price_multipliers` entries replace these per
# region or tier (docs/config.md, "prices").
#
# Read on 2026-12-02 through the project's documentation search (stored copies
# of the pages). AWS's own pricing page (aws.amazon.com/bedrock/pricing)
# renders its figures client-side, so the stored copy holds no number: no
# figure below was read off that page itself. Sources:
#   [A] Anthropic, "Pricing" (platform.claude.com/docs/en/docs/about-claude/pricing):
#       base input, 5-minute and 1-hour cache writes, cache hits, output per
#       model; cache writes are 1.25x (5 min) and 2x (1 h) the input price,
#       cache hits 0.1x. Bedrock's Standard on-demand prices for Claude match
#       these (several third-party guides say so; unconfirmed against AWS).
#   [B] AWS, Amazon Bedrock User Guide, "Global cross-Region inference"
#       (docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference):
#       a global profile costs about 10% less, input and output, than a
#       geographic one (said for Claude Sonnet 4.5). The catalog's profiles are
#       all geographic (`eu.`), so the 4.5-generation models carry [A] + 10%.
#       That Haiku 4.5 and Opus 4.5 are priced the same way is from a
#       third-party guide (clauder-navi.com, "Bedrock Claude Pricing"):
#       unconfirmed by AWS. The cache prices keep the 1.25x / 2x / 0.1x ratios.
#   [C] The same third-party guide: Claude 3.5 Sonnet at $6 / $30 on Bedrock
#       (AWS's extended-access price for the legacy model): unconfirmed.
#
# A model Bedrock offers no prompt caching for (Claude 3.5 Sonnet v1, Claude 3
# Haiku: config/README.md) still has cache prices, so that no token can ever
# cost $0; a call on it never has cache tokens.

prices = {
  # [A] $1 / $5 / $0.10 / $1.25 / $2, + 10% for the eu. profile [B].
  "anthropic.claude-haiku-4-5-20251001-v1:0" = {
    input = 1.10, output = 5.50, cache_read = 0.11, cache_write_5m = 1.375, cache_write_1h = 2.20
  }
  # [A] $3 / $15 / $0.30 / $3.75 / $6, + 10% for the eu. profile [B].
  "anthropic.claude-sonnet-4-5-20250929-v1:0" = {
    input = 3.30, output = 16.50, cache_read = 0.33, cache_write_5m = 4.125, cache_write_1h = 6.60
  }
  # [A] $5 / $25 / $0.50 / $6.25 / $10, + 10% for the eu. profile [B].
  "anthropic.claude-opus-4-5-20251101-v1:0" = {
    input = 5.50, output = 27.50, cache_read = 0.55, cache_write_5m = 6.875, cache_write_1h = 11.00
  }
  # [A], as listed (no geographic premium for this generation).
  "anthropic.claude-sonnet-4-20250514-v1:0" = {
    input = 3.00, output = 15.00, cache_read = 0.30, cache_write_5m = 3.75, cache_write_1h = 6.00
  }
  # [A], as listed ("Claude Sonnet 3.7").
  "anthropic.claude-3-7-sonnet-20250219-v1:0" = {
    input = 3.00, output = 15.00, cache_read = 0.30, cache_write_5m = 3.75, cache_write_1h = 6.00
  }
  # [C] $6 / $30, unconfirmed (its list price was $3 / $15); cache prices by
  # the [A] ratios (Bedrock caches nothing for it).
  "anthropic.claude-3-5-sonnet-20240620-v1:0" = {
    input = 6.00, output = 30.00, cache_read = 0.60, cache_write_5m = 7.50, cache_write_1h = 12.00
  }
  # [A], as listed ("Claude Haiku 3"; Bedrock caches nothing for it).
  "anthropic.claude-3-haiku-20240307-v1:0" = {
    input = 0.25, output = 1.25, cache_read = 0.03, cache_write_5m = 0.30, cache_write_1h = 0.50
  }
}

price_multipliers = {
  # Bedrock prices a cross-region call by its source region; the EU regions
  # share one price, so no region differs from the list.
  regions = {}
  # AWS, "Amazon Bedrock service tiers" (aws.amazon.com/bedrock/service-tiers):
  # Priority is "Standard rate + premium", Flex a "discounted standard model
  # rate", with no figure on the stored page. Flex at 50% off is from an AWS
  # re:Invent 2025 session (AIM3304, third-party transcript on dev.to);
  # Priority at +75% is unconfirmed (the premium AWS lists for the models that
  # offer Priority, from memory). Reserved capacity is billed per reserved
  # tokens-per-minute per month, not per token: its calls are metered at the
  # Standard rate, for attribution.
  service_tiers = { default = 1.0, priority = 1.75, flex = 0.5, reserved = 1.0 }
}
