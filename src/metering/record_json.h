#pragma once
// A usage record's tag set and request metadata as JSON objects, as the
// ledgers keep them in a text column (the SQLite ledger, the PostgreSQL one;
// docs/metering.md "The ledger"). One spelling for both, so a tag set reads
// back the same whichever stored it. Public header of bp_metering.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tags.h"

namespace bp::metering {

// {"team":"rd",...}: keys in the set's order (a Tags map's are unique and
// ordered), so equal sets give equal text (a roll-up's key compares it).
std::string TagsToJson(const Tags& tags);

// Request metadata; a repeated key keeps its last value. "{}" when empty.
std::string MetadataToJson(const std::vector<std::pair<std::string, std::string>>& pairs);

// A JSON object of string members back into pairs (members of another type
// are skipped); anything that is not such an object reads as none.
std::vector<std::pair<std::string, std::string>> MetadataFromJson(std::string_view text);
Tags TagsFromJson(std::string_view text);

}  // namespace bp::metering
