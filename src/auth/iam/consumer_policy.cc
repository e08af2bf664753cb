#include "auth/iam/consumer_policy.h"

#include <algorithm>
#include <utility>

#include "core/arn.h"
#include "json/json.h"

namespace bp::auth::iam {

namespace {

constexpr size_t kMaxModelIdBytes = 256;

bool IsModelIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '_';
}

Result<Arn> CheckProfileArn(std::string_view profile_arn) {
  if (profile_arn.find_first_of("*?") != std::string_view::npos) {
    return ValidationError("the profile ARN may not contain wildcards: " +
                           std::string(profile_arn));
  }
  Result<Arn> arn = Arn::Parse(profile_arn);
  if (!arn.ok()) return ValidationError("invalid profile ARN: " + arn.status().message());
  BedrockResourceKind kind = ClassifyBedrockArn(*arn);
  if (kind != BedrockResourceKind::kApplicationProfile &&
      kind != BedrockResourceKind::kSystemProfile) {
    return ValidationError("not a Bedrock inference-profile ARN: " + std::string(profile_arn));
  }
  return arn;
}

Status CheckModelId(std::string_view model_id) {
  if (model_id.empty() || model_id.size() > kMaxModelIdBytes ||
      !std::all_of(model_id.begin(), model_id.end(), IsModelIdChar)) {
    return ValidationError("invalid foundation model id \"" + std::string(model_id) +
                           "\": expected letters, digits and . - : _");
  }
  return Status::Ok();
}

json::Value InvokeStatement(std::string_view sid, std::string resource) {
  json::Object st;
  st["Sid"] = sid;
  st["Effect"] = "Allow";
  st["Action"] = json::Array{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"};
  st["Resource"] = json::Array{json::Value(resource)};
  return st;
}

void Pretty(const json::Value& v, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  if (v.is_object() && !v.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& member : v.get_object()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad + json::Serialize(json::Value(member.key())) + ": ";
      Pretty(member.value(), indent + 2, out);
    }
    out += "\n" + std::string(static_cast<size_t>(indent), ' ') + "}";
  } else if (v.is_array() && !v.get_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const json::Value& item : v.get_array()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad;
      Pretty(item, indent + 2, out);
    }
    out += "\n" + std::string(static_cast<size_t>(indent), ' ') + "]";
  } else {
    out += json::Serialize(v);
  }
}

}  // namespace

Result<std::string> ConsumerPolicyJson(std::string_view profile_arn, std::string_view model_id) {
  BP_ASSIGN_OR_RETURN(Arn arn, CheckProfileArn(profile_arn));
  BP_RETURN_IF_ERROR(CheckModelId(model_id));
  std::string fm = "arn:" + arn.partition + ":bedrock:*::foundation-model/" + std::string(model_id);
  json::Object policy;
  policy["Version"] = "2012-10-17";
  policy["Statement"] =
      json::Array{InvokeStatement("InvokeBedrockProfile", std::string(profile_arn)),
                  InvokeStatement("InvokeFoundationModel", std::move(fm))};
  std::string out;
  Pretty(policy, 0, out);
  out += "\n";
  return out;
}

}  // namespace bp::auth::iam
