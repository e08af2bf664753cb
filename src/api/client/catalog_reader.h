#pragma once
// The model catalog as a live control plane reports it, for `catalog
// refresh`: the requests are the AWS SDK's (restJson1):
//
//   GET /foundation-models[?byProvider=P]                        ListFoundationModels
//   GET /inference-profiles?type=SYSTEM_DEFINED&maxResults=N[&nextToken=T]
//                                                                ListInferenceProfiles (every page)
//
// What the answers lack, and how the catalog's fields are filled:
//   - api_model_name (the Anthropic-style name in responses) is not in
//     ListFoundationModels: for an "anthropic." model id it is the id without
//     that prefix and its "-vN:M" version suffix, else the model id.
//   - A foundation model's regions are not in ListFoundationModels (one
//     region's answer lists that region's models): they are the union, in
//     sorted order, of the destination regions of the kept system profiles
//     that route to it; a model no kept profile routes to gets the region the
//     client is signed for.
//   - A system profile's model and destination regions come from its
//     models[] ARNs (arn:aws:bedrock:REGION::foundation-model/MODEL), in the
//     order given. A profile whose ARNs name more than one model, or a model
//     the model list lacks, or a region outside `geography`, is skipped and
//     counted.
//   - created_at is the profile's createdAt (an RFC 3339 string, or epoch
//     seconds as some SDK serialisations send it).
// Models come in the order listed, system profiles in the order of their
// model, then by id; so an endpoint serving the built-in catalog gives back
// config/model-catalog.json byte for byte (Catalog::ToJson()).
//
// Errors: the service's and the transport's as BedrockClient reports them;
// an answer without the documented shape is kServiceUnavailable naming the
// operation, the endpoint and the member. Public header of bp_api_client.

#include <cstdint>
#include <optional>
#include <string>

#include "api/client/bedrock_client.h"
#include "catalog/catalog.h"
#include "core/status.h"
#include "json/json.h"

namespace bp::api::client {

struct CatalogReadOptions {
  std::optional<std::string> provider;  // byProvider of ListFoundationModels; unset: every provider
  // Keep the system profiles whose destination regions all lie in this
  // geography (catalog::Catalog::Geography); empty: keep all.
  std::string geography = "eu";
  int32_t page_size = 100;   // maxResults of each ListInferenceProfiles page (1..1000)
  int32_t max_pages = 1000;  // pages followed at most
};

struct CatalogRead {
  catalog::Catalog catalog;
  size_t skipped_profiles = 0;  // system profiles left out (see above)
};

// Reads both lists from the endpoint `client` (built for the control plane)
// points at and builds the catalog.
Result<CatalogRead> ReadCatalog(const BedrockClient& client, const CatalogReadOptions& options);

// The pure part of ReadCatalog(): the ListFoundationModels answer and the
// system profile summaries of every ListInferenceProfiles page (their
// inferenceProfileSummaries, concatenated) -> the catalog. `signing_region`
// is the region for models that no kept profile routes to. Errors name the
// member ("$.modelSummaries[2].modelId is required").
Result<CatalogRead> CatalogFromAnswers(const json::Value& models_answer,
                                       const json::Array& profile_summaries,
                                       std::string_view signing_region,
                                       const CatalogReadOptions& options);

}  // namespace bp::api::client
