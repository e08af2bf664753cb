// Fuzz target for catalog files (a config's catalog_file is user input):
// the bytes are merged over the built-in catalog and parsed on their own.
// Checks on every input: no crash, hang or leak; an error is kValidation
// whose message starts with a JSON path ("$...") or says the JSON is
// malformed (the contract config's locator relies on); a merged catalog
// serialises (ToJson) to text that parses back to the same catalog.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/catalog.h"

namespace {

using bp::catalog::Catalog;

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckError(const bp::Status& status) {
  Require(status.code() == bp::ErrorCode::kValidation);
  const std::string& m = status.message();
  Require(m.starts_with("$") || m.starts_with("malformed JSON"));
}

void CheckRoundTrip(const Catalog& catalog) {
  bp::Result<Catalog> again = Catalog::Parse(catalog.ToJson(), "round trip");
  Require(again.ok());
  Require(*again == catalog);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Catalog* builtin = [] {
    auto c = Catalog::Builtin();
    Require(c.ok());
    return new Catalog(std::move(c).value());
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bp::Result<Catalog> merged = builtin->Merge(text);
  if (merged.ok()) {
    CheckRoundTrip(*merged);
  } else {
    CheckError(merged.status());
  }
  bp::Result<Catalog> alone = Catalog().Merge(text);
  if (alone.ok()) CheckRoundTrip(*alone);
  return 0;
}
