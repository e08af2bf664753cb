// Fuzz target for config files: arbitrary bytes through both front ends and
// the binder (LoadText with the built-in catalog and an empty environment).
// Checks the loader's contract on every input: no crash, hang or leak; a
// config exactly when there is no error; every diagnostic located in the
// input and carrying a message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "config/binder.h"
#include "config/hcl_parser.h"
#include "config/json_parser.h"
#include "config/load.h"

namespace {

using bp::config::Diagnostic;
using bp::config::LoadResult;

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckDiagnostics(const std::vector<Diagnostic>& diagnostics, const std::string& file) {
  for (const Diagnostic& d : diagnostics) {
    Require(!d.message.empty());
    Require(d.location.file == file);
    Require(d.ToString().find(d.message) != std::string::npos);
  }
}

void CheckResult(const LoadResult& r, const std::string& file) {
  Require(r.config.has_value() == r.errors.empty());
  CheckDiagnostics(r.errors, file);
  CheckDiagnostics(r.warnings, file);
  if (r.config) {
    Require(r.config->source == file);
    for (size_t i = 1; i < r.config->profiles.size(); ++i) {
      Require(r.config->profiles[i - 1].name < r.config->profiles[i].name);
    }
  }
}

const bp::catalog::Catalog& BuiltinCatalog() {
  static const bp::catalog::Catalog catalog = [] {
    auto c = bp::catalog::Catalog::Builtin();
    Require(c.ok());
    return std::move(c).value();
  }();
  return catalog;
}

// Whether any key (decoded, at any depth) names policy files.
bool NamesPolicyFiles(const std::vector<bp::config::ast::Entry>& entries) {
  for (const bp::config::ast::Entry& e : entries) {
    if (e.key.rfind("policy_file", 0) == 0 || NamesPolicyFiles(e.value.entries)) return true;
    for (const bp::config::ast::Value& item : e.value.items) {
      if (NamesPolicyFiles(item.entries)) return true;
    }
  }
  return false;
}

// Parses with `parse` and binds with an in-memory file reader. Returns false
// when the input names policy files: LoadText would then read the host's
// files, which the fuzzer must not do (some, like /proc/kmsg, block).
template <class Parse>
bool ParseAndBind(std::string_view text, const std::string& file, Parse parse) {
  bp::config::ParseOutput parsed = parse(text, file, bp::config::ParseOptions{});
  Require(parsed.body.has_value() || parsed.errors.size() == 1);
  CheckDiagnostics(parsed.errors, file);
  if (!parsed.body) return true;
  bp::config::EnvLookup env;
  bp::config::BindContext context{
      BuiltinCatalog(), env, "", [](const std::filesystem::path&) {
        return bp::Result<std::string>(std::string("{\"Statement\":[]}"));
      }};
  LoadResult bound = bp::config::Bind(*parsed.body, context);
  Require(bound.config.has_value() == bound.errors.empty());
  return !NamesPolicyFiles(parsed.body->attributes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool hcl_safe = ParseAndBind(text, "fuzz.hcl", bp::config::ParseHcl);
  bool json_safe = ParseAndBind(text, "fuzz.json", bp::config::ParseJson);
  bp::config::EnvLookup no_env = [](std::string_view) { return std::optional<std::string>(); };
  if (hcl_safe)
    CheckResult(bp::config::LoadText(text, "fuzz.hcl", BuiltinCatalog(), no_env), "fuzz.hcl");
  if (json_safe)
    CheckResult(bp::config::LoadText(text, "fuzz.json", BuiltinCatalog(), no_env), "fuzz.json");
  return 0;
}
