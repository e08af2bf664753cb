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

Result<std::string> OutputArn(const Outputs& outputs, std::string_view name) {
  auto it = outputs.arns.find(name);
  if (it != outputs.arns.end()) return it->second;
  if (std::find(outputs.missing.begin(), outputs.missing.end(), name) != outputs.missing.end()) {
    return NotFoundError("profile '" + std::string(name) +
                         "' is in the config but not at the endpoint yet; run plan and apply");
  }
  std::vector<std::string> known;
  for (const auto& [n, arn] : outputs.arns) known.push_back(n);
  return NotFoundError("no profile '" + std::string(name) + "' in " + std::string(kOutputName) +
                       (known.empty() ? " (it is empty)" : "; known: " + JoinQuoted(known)));
}

std::string RenderOutputArnJson(std::string_view arn) { return QuoteJson(arn) + "\n"; }

}  // namespace bp::planner
