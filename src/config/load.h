#pragma once
// Loading a config file: syntax (HCL or JSON) -> syntax tree with locations ->
// binding and validation -> config::Config. Every problem is collected, not
// only the first, so `validate` can list them all.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/status.h"

namespace bp::config {

struct Diagnostic {
  SourceLocation location;
  std::string message;           // names the key and says what was expected
  std::string ToString() const;  // "file:line:col: message"
};

struct LoadResult {
  std::optional<Config> config;      // set only when errors is empty
  std::vector<Diagnostic> errors;    // in file order
  std::vector<Diagnostic> warnings;  // non-fatal advice
  // Set with `config`: the catalog the config was checked against, which
  // every later step must use too: the catalog given to the loader, with the
  // config's catalog_file merged over it (catalog::Catalog::Merge).
  std::optional<catalog::Catalog> catalog;
};

// Reads environment variables for *_env keys. Injected so tests control it.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnv();

// `filename` decides the syntax: ".json" is JSON, anything else HCL.
// Relative policy_file and catalog_file paths resolve against the file's
// directory. `catalog` is the base catalog (normally catalog::Catalog::Builtin());
// a catalog_file is read and merged over it before anything else is checked,
// and a catalog file with errors stops the load there (its errors carry the
// catalog file's file:line:col).
LoadResult LoadText(std::string_view text, const std::string& filename,
                    const catalog::Catalog& catalog, const EnvLookup& env);
LoadResult LoadFile(const std::filesystem::path& path, const catalog::Catalog& catalog,
                    const EnvLookup& env);

// The shipped default (config/bedrock-profiles.hcl, built into the binary).
std::string_view BuiltinConfigText();
inline constexpr std::string_view kBuiltinConfigName = "config/bedrock-profiles.hcl (built in)";

// The built-in price list (config/model-prices.hcl, built into the binary): a
// config's `prices` and `price_multipliers` entries replace its entries.
std::string_view BuiltinPricesText();
inline constexpr std::string_view kBuiltinPricesName = "config/model-prices.hcl (built in)";

// BRIEF.md: --config F if given, else ./bedrock-profiles.hcl if present, else
// the built-in default.
LoadResult LoadDefaultOrFile(const std::optional<std::filesystem::path>& path,
                             const catalog::Catalog& catalog, const EnvLookup& env);

// Errors and warnings merged in file order, one line each, as `validate`
// prints them: "file:line:col: message" and "file:line:col: warning: message".
std::vector<std::string> FormatDiagnostics(const LoadResult& result);

// Convenience: the config, or one kValidation Status listing every error.
Result<Config> ToResult(LoadResult&& result);

}  // namespace bp::config
