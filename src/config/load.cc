#include "config/load.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "config/bind_util.h"
#include "config/binder.h"
#include "config/hcl_parser.h"
#include "config/json_parser.h"

namespace bp::config {

namespace {

bool IsJsonName(std::string_view filename) {
  if (filename.size() < 5) return false;
  std::string ext(filename.substr(filename.size() - 5));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return ext == ".json";
}

// Reads at most max_bytes (+1 to detect more). Policy files must be regular
// files, so a config cannot make the loader block on a FIFO or a device; the
// config file itself may be a pipe (`--config <(...)`).
Result<std::string> ReadTextFile(const std::filesystem::path& path, size_t max_bytes,
                                 bool regular_only) {
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec) return IoError(ec.message());
  if (std::filesystem::is_directory(status)) return IoError("it is a directory");
  if (regular_only && !std::filesystem::is_regular_file(status)) {
    return IoError("it is not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(std::strerror(errno));
  std::string data;
  char buffer[16384];
  while (data.size() <= max_bytes && in.read(buffer, sizeof buffer).gcount() > 0) {
    data.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return IoError("read failed");
  if (data.size() > max_bytes) {
    return IoError("it is larger than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  return data;
}

bool ByLocation(const Diagnostic& a, const Diagnostic& b) {
  if (a.location.line != b.location.line) return a.location.line < b.location.line;
  return a.location.column < b.location.column;
}

}  // namespace

std::string Diagnostic::ToString() const { return location.ToString() + ": " + message; }

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LoadResult LoadText(std::string_view text, const std::string& filename,
                    const catalog::Catalog& catalog, const EnvLookup& env) {
  ParseOutput parsed = IsJsonName(filename) ? ParseJson(text, filename) : ParseHcl(text, filename);
  if (!parsed.body) return LoadResult{std::nullopt, std::move(parsed.errors), {}, std::nullopt};
  FileReader reader = [](const std::filesystem::path& p) {
    return ReadTextFile(p, kMaxConfigBytes, /*regular_only=*/true);
  };
  std::filesystem::path base_dir = std::filesystem::path(filename).parent_path();
  // The catalog comes first: the profiles are checked against it.
  std::optional<catalog::Catalog> merged;
  std::string catalog_file;
  if (const ast::Entry* entry = FindSet(parsed.body->attributes, "catalog_file")) {
    DiagnosticSink sink;
    merged = BindCatalogFile(entry->value, BindContext{catalog, env, base_dir, reader},
                             catalog_file, sink);
    if (!merged) {
      std::vector<Diagnostic> errors = std::move(parsed.errors);
      for (Diagnostic& d : sink.errors()) errors.push_back(std::move(d));
      return LoadResult{std::nullopt, std::move(errors), {}, std::nullopt};
    }
  }
  const catalog::Catalog& effective = merged ? *merged : catalog;
  BindContext context{effective, env, base_dir, reader};
  LoadResult result = Bind(*parsed.body, context);
  result.errors.insert(result.errors.begin(), parsed.errors.begin(), parsed.errors.end());
  std::stable_sort(result.errors.begin(), result.errors.end(), ByLocation);
  std::stable_sort(result.warnings.begin(), result.warnings.end(), ByLocation);
  if (!result.errors.empty()) {
    result.config.reset();
  } else if (result.config) {
    result.config->source = filename;
    result.config->catalog_file = catalog_file;
    result.catalog = merged ? std::move(*merged) : catalog;
  }
  return result;
}

LoadResult LoadFile(const std::filesystem::path& path, const catalog::Catalog& catalog,
                    const EnvLookup& env) {
  Result<std::string> text = ReadTextFile(path, kMaxConfigBytes, /*regular_only=*/false);
  if (!text.ok()) {
    return LoadResult{std::nullopt,
                      {Diagnostic{SourceLocation{path.string(), 0, 0},
                                  "cannot read the config file: " + text.status().message()}},
                      {},
                      std::nullopt};
  }
  return LoadText(*text, path.string(), catalog, env);
}

LoadResult LoadDefaultOrFile(const std::optional<std::filesystem::path>& path,
                             const catalog::Catalog& catalog, const EnvLookup& env) {
  if (path) return LoadFile(*path, catalog, env);
  std::error_code ec;
  const std::filesystem::path local("bedrock-profiles.hcl");
  if (std::filesystem::exists(local, ec)) return LoadFile(local, catalog, env);
  return LoadText(BuiltinConfigText(), std::string(kBuiltinConfigName), catalog, env);
}

Result<Config> ToResult(LoadResult&& result) {
  if (result.config && result.errors.empty()) return std::move(*result.config);
  if (result.errors.empty())
    return InternalError("loading the config gave neither a config nor an error");
  std::string message;
  for (const Diagnostic& d : result.errors) {
    if (!message.empty()) message += '\n';
    message += d.ToString();
  }
  return ValidationError(std::move(message));
}

std::vector<std::string> FormatDiagnostics(const LoadResult& result) {
  std::vector<Diagnostic> all = result.errors;
  for (Diagnostic d : result.warnings) {
    d.message = "warning: " + d.message;
    all.push_back(std::move(d));
  }
  std::stable_sort(all.begin(), all.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.location.line, a.location.column) <
           std::pair(b.location.line, b.location.column);
  });
  std::vector<std::string> lines;
  lines.reserve(all.size());
  for (const Diagnostic& d : all) lines.push_back(d.ToString());
  return lines;
}

}  // namespace bp::config
