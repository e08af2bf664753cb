#include "metering/record_json.h"

#include "json/json.h"
#include "json/writer.h"

namespace bp::metering {

// Written directly (json/writer.h): one text per set, with no DOM.
std::string TagsToJson(const Tags& tags) {
  std::string out = "{";
  for (const auto& [key, value] : tags) {
    if (out.size() > 1) out += ',';
    json::AppendString(out, key);
    out += ':';
    json::AppendString(out, value);
  }
  out += '}';
  return out;
}

// Through Boost.JSON, which settles repeated keys (the last value wins).
std::string MetadataToJson(const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) return "{}";
  json::Object obj;
  for (const auto& [key, value] : pairs) obj[key] = value;
  return json::Serialize(json::Value(std::move(obj)));
}

std::vector<std::pair<std::string, std::string>> MetadataFromJson(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  if (text == "{}") return out;
  Result<json::Value> v = json::Parse(text);
  if (!v.ok() || !v->is_object()) return out;
  for (const auto& member : v->get_object()) {
    if (member.value().is_string()) {
      out.emplace_back(std::string(member.key()), std::string(member.value().get_string()));
    }
  }
  return out;
}

Tags TagsFromJson(std::string_view text) {
  Tags tags;
  for (auto& [key, value] : MetadataFromJson(text)) tags.emplace(std::move(key), std::move(value));
  return tags;
}

}  // namespace bp::metering
