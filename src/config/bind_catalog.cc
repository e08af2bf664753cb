// catalog_file: a model catalog file merged over the built-in catalog. The
// catalog module owns the format and the merge (catalog::Catalog::Merge); this
// file adds what the config layer is for: reading the file relative to the
// config, syntax errors from the JSON front end, and file:line:col for the
// catalog's own errors, found by walking the JSON path that starts each of
// its messages through the located syntax tree.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/binder.h"
#include "config/json_parser.h"
#include "config/source_text.h"

namespace bp::config {

namespace {

// One step of a JSON path: a member key or an array index.
struct PathStep {
  std::string key;  // empty for an index
  size_t index = 0;
};

bool IsKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The steps of the JSON path that starts `message` ("$.a[2].b: ..." ->
// a, [2], b). Stops at the first character that does not continue a path.
std::vector<PathStep> LeadingJsonPath(std::string_view message) {
  std::vector<PathStep> steps;
  if (message.empty() || message[0] != '$') return steps;
  size_t i = 1;
  while (i < message.size()) {
    if (message[i] == '.' && i + 1 < message.size() && IsKeyChar(message[i + 1])) {
      size_t end = i + 1;
      while (end < message.size() && IsKeyChar(message[end])) ++end;
      steps.push_back(PathStep{std::string(message.substr(i + 1, end - i - 1))});
      i = end;
    } else if (message[i] == '[') {
      size_t end = i + 1;
      while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
      if (end == i + 1 || end >= message.size() || message[end] != ']') break;
      steps.push_back(PathStep{"", std::stoul(std::string(message.substr(i + 1, end - i - 1)))});
      i = end + 1;
    } else {
      break;
    }
  }
  return steps;
}

// The location of the deepest step of `steps` that exists in `body`: a
// member's key, an element's first character; the file's start when none.
SourceLocation Locate(const ast::Body& body, const std::vector<PathStep>& steps) {
  SourceLocation at{body.file, 1, 1};
  const std::vector<ast::Entry>* members = &body.attributes;
  const ast::Value* current = nullptr;
  for (const PathStep& step : steps) {
    if (!step.key.empty()) {
      if (members == nullptr) break;
      auto it = std::find_if(members->begin(), members->end(),
                             [&](const ast::Entry& e) { return e.key == step.key; });
      if (it == members->end()) break;
      at = it->key_location;
      current = &it->value;
    } else {
      if (current == nullptr || current->kind != ast::Kind::kList ||
          step.index >= current->items.size()) {
        break;
      }
      current = &current->items[step.index];
      at = current->location;
    }
    members = current->kind == ast::Kind::kObject ? &current->entries : nullptr;
  }
  return at;
}

}  // namespace

std::optional<catalog::Catalog> BindCatalogFile(const ast::Value& value, const BindContext& context,
                                                std::string& resolved, DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kString, "catalog_file", sink)) return std::nullopt;
  if (value.text.empty()) {
    sink.Error(value.location, "catalog_file: must name a catalog JSON file");
    return std::nullopt;
  }
  std::filesystem::path file(value.text);
  if (file.is_relative()) file = context.base_dir / file;
  if (!context.read_file) {
    sink.Error(value.location,
               "catalog_file: catalog files cannot be read here ('" + file.string() + "')");
    return std::nullopt;
  }
  Result<std::string> text = context.read_file(file);
  if (!text.ok()) {
    sink.Error(value.location, "catalog_file: cannot read catalog file '" + file.string() +
                                   "': " + text.status().message());
    return std::nullopt;
  }
  // Syntax first, with the front end that knows lines and columns.
  ParseOutput parsed = ParseJson(*text, file.string());
  for (Diagnostic& d : parsed.errors) sink.Error(d.location, std::move(d.message));
  if (!parsed.body || !parsed.errors.empty()) return std::nullopt;

  Result<catalog::Catalog> merged = context.catalog.Merge(StripBom(*text));
  if (!merged.ok()) {
    const std::string& message = merged.status().message();
    sink.Error(Locate(*parsed.body, LeadingJsonPath(message)),
               message + " (catalog_file at " + value.location.ToString() + ")");
    return std::nullopt;
  }
  resolved = file.string();
  return std::move(merged).value();
}

}  // namespace bp::config
