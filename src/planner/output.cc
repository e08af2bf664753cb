#include "planner/output.h"

#include <algorithm>

#include "json/json.h"
#include "planner/json_pretty.h"

namespace bp::planner {

namespace {

std::string QuoteJson(std::string_view s) { return json::Serialize(json::Value(s)); }

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Outputs CollectOutputs(const config::Config& config, const std::vector<LiveProfile>& live) {
  Outputs outputs;
  for (const config::ProfileConfig& profile : config.profiles) {
    auto it = std::find_if(live.begin(), live.end(),
                           [&](const LiveProfile& p) { return p.name == profile.name; });
    if (it == live.end()) {
      outputs.missing.push_back(profile.name);
    } else {
      outputs.arns.insert_or_assign(profile.name, it->arn);
    }
  }
  std::sort(outputs.missing.begin(), outputs.missing.end());
  return outputs;
}

std::string RenderOutputsText(const OutputMap& arns) {
  std::string out = std::string(kOutputName) + " = {";
  for (const auto& [name, arn] : arns) out += "\n  " + QuoteJson(name) + " = " + QuoteJson(arn);
  if (!arns.empty()) out += "\n";
  return out + "}\n";
}

std::string RenderOutputsJson(const OutputMap& arns) {
  json::Object types;
  json::Object values;
  for (const auto& [name, arn] : arns) {
    types[name] = "string";
    values[name] = arn;
  }
  json::Array type;
  type.emplace_back("object");
  type.emplace_back(std::move(types));
  json::Object output;
  output["sensitive"] = false;
  output["type"] = std::move(type);
  output["value"] = std::move(values);
  json::Object root;
  root[kOutputName] = std::move(output);
  return PrettyJson(json::Value(std::move(root))) + "\n";
}

Status NotConfiguredError(const config::Config& config, std::string_view name) {
  std::vector<std::string> known;
  for (const config::ProfileConfig& p : config.profiles) known.push_back(p.name);
  return NotFoundError(
      "no profile '" + std::string(name) + "' in " + config.source +
      (known.empty() ? " (it declares none)" : "; configured: " + JoinQuoted(known)));
}

std::string RenderOutputArnJson(std::string_view arn) { return QuoteJson(arn) + "\n"; }

}  // namespace bp::planner
