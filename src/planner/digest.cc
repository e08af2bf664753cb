// Digests and fingerprints: config_digest, state_fingerprint, plan_digest and
// the clientRequestToken derived from the plan digest.
#include <algorithm>
#include <utility>

#include "core/sha256.h"
#include "json/json.h"
#include "planner/plan.h"
#include "planner/plan_json.h"

namespace bp::planner {

std::string ConfigDigest(std::string_view text) { return Sha256Hex(text); }

std::string StateFingerprint(const std::vector<LiveProfile>& profiles) {
  std::vector<const LiveProfile*> sorted;
  for (const LiveProfile& p : profiles) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const LiveProfile* a, const LiveProfile* b) { return a->name < b->name; });
  json::Array projection;
  for (const LiveProfile* p : sorted) {
    json::Object entry;
    entry["name"] = p->name;
    // An empty description is no description (Bedrock requires 1-200 chars).
    if (p->description && !p->description->empty()) {
      entry["description"] = *p->description;
    } else {
      entry["description"] = nullptr;
    }
    std::vector<std::string> models = p->model_arns;
    std::sort(models.begin(), models.end());
    json::Array model_arns;
    for (const std::string& m : models) model_arns.emplace_back(m);
    entry["model_arns"] = std::move(model_arns);
    json::Object tags;
    for (const auto& [key, value] : p->tags) tags[key] = value;
    entry["tags"] = std::move(tags);
    projection.emplace_back(std::move(entry));
  }
  return Sha256Hex(json::Serialize(projection));
}

std::string PlanDigest(const Plan& plan) {
  return Sha256Hex(json::Serialize(internal::PlanContentToJson(plan)));
}

std::string ClientRequestToken(std::string_view plan_digest, size_t action_index) {
  // "bp-" + 48 hex digits of the plan digest + "-" + the action index: 192
  // bits tie it to the plan; the index tells the actions apart.
  std::string token = "bp-";
  for (char c : plan_digest.substr(0, 48)) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    token.push_back(alnum ? c : '0');
  }
  token += "-" + std::to_string(action_index);
  return token;
}

}  // namespace bp::planner
