#include "config/validate.h"

#include <algorithm>
#include <set>

#include "core/arn.h"
#include "json/json.h"

namespace bp::config {

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsLower(c) || IsUpper(c) || IsDigit(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string DescribeChar(char c) {
  if (c == '\n') return "a newline";
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "a control character";
  if (static_cast<unsigned char>(c) >= 0x80) return "a non-ASCII character";
  return Quote(std::string(1, c));
}

// The first character outside `allowed`, described for a message.
std::string FirstBad(std::string_view s, bool (*allowed)(char)) {
  for (char c : s) {
    if (!allowed(c)) return DescribeChar(c);
  }
  return "?";
}

bool IsTagChar(char c) {
  return IsAlnum(c) || std::string_view(" \t\n\v\f\r._:/=+@-").find(c) != std::string_view::npos;
}

constexpr std::string_view kAcceptedModelArns =
    "accepted: an EU cross-region profile "
    "arn:aws:bedrock:<eu region>:<account_id>:inference-profile/eu.<model id>, or an EU "
    "foundation model arn:aws:bedrock:<eu region>::foundation-model/<model id>";

Status ArnError(std::string message) {
  return ValidationError(std::move(message) + "; " + std::string(kAcceptedModelArns));
}

// How to add a model without a rebuild (docs/catalog.md).
constexpr std::string_view kAddToCatalog =
    " (to add one, name a catalog file in the config: catalog_file = \"models.json\"; "
    "`bedrock-profiles catalog refresh` writes one from a live endpoint)";

std::vector<std::string> KnownEuProfiles(const catalog::Catalog& catalog) {
  std::vector<std::string> out;
  for (const catalog::SystemProfile& p : catalog.system_profiles()) {
    if (p.id.rfind("eu.", 0) == 0) out.push_back(p.id);
  }
  return out;
}

Status CheckSystemProfileArn(const Arn& arn, const std::optional<std::string>& account_id,
                             const catalog::Catalog& catalog) {
  std::string_view id = arn.ResourceId();
  std::string_view geo = id.substr(0, id.find('.'));
  if (geo != "eu" || id.find('.') == std::string_view::npos) {
    return ArnError("system-defined profile " + Quote(id) + " is not an EU cross-region profile" +
                    (geo != id ? " (its '" + std::string(geo) + ".' prefix routes outside the EU)"
                               : std::string()));
  }
  if (catalog.FindSystemProfile(id) == nullptr) {
    return ValidationError("unknown system-defined profile " + Quote(id) +
                           "; the model catalog knows: " + Join(KnownEuProfiles(catalog)) +
                           std::string(kAddToCatalog));
  }
  if (CheckAccountId(arn.account).ok() == false) {
    return ArnError("account " + Quote(arn.account) + " in the ARN is not a 12-digit account id");
  }
  if (account_id && arn.account != *account_id) {
    return ValidationError("account " + Quote(arn.account) +
                           " in the ARN differs from account_id " + Quote(*account_id) +
                           " (a system-defined profile ARN names the caller's own account)");
  }
  return Status::Ok();
}

Status CheckFoundationModelArn(const Arn& arn, const catalog::Catalog& catalog) {
  if (!arn.account.empty()) {
    return ArnError("a foundation-model ARN has an empty account field, found " +
                    Quote(arn.account));
  }
  std::string_view id = arn.ResourceId();
  const catalog::FoundationModel* model = catalog.FindModel(id);
  if (model == nullptr) {
    std::vector<std::string> known;
    for (const catalog::FoundationModel& m : catalog.models()) known.push_back(m.model_id);
    return ValidationError("unknown foundation model " + Quote(id) + "; the model catalog knows: " +
                           Join(known) + std::string(kAddToCatalog));
  }
  if (std::find(model->regions.begin(), model->regions.end(), arn.region) == model->regions.end()) {
    return ValidationError("foundation model " + Quote(id) + " is not served in " + arn.region +
                           " (served in " + Join(model->regions) + ")");
  }
  return Status::Ok();
}

}  // namespace

Status CheckAccountId(std::string_view account_id) {
  if (account_id.size() == 12 && AllOf(account_id, IsDigit)) return Status::Ok();
  return ValidationError(Quote(account_id) +
                         " is not an AWS account id: expected exactly 12 digits");
}

Status CheckRegion(std::string_view region, const catalog::Catalog& catalog) {
  // <geo>-<words>-<number>, e.g. eu-central-1.
  size_t last_dash = region.rfind('-');
  bool shaped = region.size() >= 4 && last_dash != std::string_view::npos &&
                last_dash + 1 < region.size() && AllOf(region.substr(last_dash + 1), IsDigit) &&
                region.find('-') < last_dash && region.find("--") == std::string_view::npos &&
                region.front() != '-' &&
                AllOf(region.substr(0, last_dash), [](char c) { return IsLower(c) || c == '-'; });
  std::string accepted =
      "expected an EU region (geography 'eu') such as " + Join(EuRegions(catalog));
  if (!shaped) return ValidationError(Quote(region) + " is not a region name; " + accepted);
  if (catalog::Catalog::Geography(region) != "eu") {
    return ValidationError(Quote(region) + " is not an EU region; " + accepted);
  }
  return Status::Ok();
}

Status CheckProfileName(std::string_view name) {
  std::string_view convention =
      " does not follow the naming convention rd-{model-short}: 'rd-' then lowercase letters and "
      "digits in words joined by single '-' (e.g. rd-haiku-45)";
  if (name.size() > 64) {
    return ValidationError("profile name " + Quote(name) + " is " + std::to_string(name.size()) +
                           " characters long; at most 64 are allowed");
  }
  if (name.substr(0, 3) != "rd-")
    return ValidationError("profile name " + Quote(name) + std::string(convention));
  std::string_view rest = name.substr(3);
  bool ok = !rest.empty() && rest.front() != '-' && rest.back() != '-' &&
            rest.find("--") == std::string_view::npos &&
            AllOf(rest, [](char c) { return IsLower(c) || IsDigit(c) || c == '-'; });
  if (!ok) return ValidationError("profile name " + Quote(name) + std::string(convention));
  return Status::Ok();
}

Status CheckDescription(std::string_view description) {
  if (description.empty() || description.size() > 200) {
    return ValidationError("description must be 1-200 characters, found " +
                           std::to_string(description.size()));
  }
  auto is_word = [](char c) { return IsAlnum(c) || c == ':' || c == '.'; };
  auto is_sep = [](char c) { return c == ' ' || c == '_' || c == '-'; };
  // ^([0-9a-zA-Z:.][ _-]?)+$: a word character first, and never two
  // separators in a row.
  std::string bad;
  if (!is_word(description.front())) bad = "it starts with " + DescribeChar(description.front());
  for (size_t i = 0; bad.empty() && i < description.size(); ++i) {
    char c = description[i];
    if (!is_word(c) && !is_sep(c)) bad = "it contains " + DescribeChar(c);
    if (is_sep(c) && i > 0 && is_sep(description[i - 1])) bad = "it has two separators in a row";
  }
  if (bad.empty()) return Status::Ok();
  return ValidationError("description " + Quote(description) + " is refused by AWS (" + bad +
                         "): only letters, digits, ':' and '.' with single ' ', '_' or '-' "
                         "between them are allowed, so '&', ',', '(', '/' are rejected");
}

Status CheckProfileId(std::string_view id) {
  if (id.size() == 12 && AllOf(id, [](char c) { return IsLower(c) || IsDigit(c); })) {
    return Status::Ok();
  }
  return ValidationError("id " + Quote(id) +
                         " is not a profile id: expected exactly 12 characters [a-z0-9], like "
                         "'acwt9yee9wzo'");
}

Status CheckTagKey(std::string_view key) {
  if (key.empty() || key.size() > 128) {
    return ValidationError("tag key must be 1-128 characters, found " + std::to_string(key.size()));
  }
  if (!AllOf(key, IsTagChar)) {
    return ValidationError("tag key " + Quote(key) + " contains " + FirstBad(key, IsTagChar) +
                           "; allowed are letters, digits, spaces and _ . : / = + @ -");
  }
  std::string prefix(key.substr(0, 4));
  std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                 [](char c) { return static_cast<char>(IsUpper(c) ? c - 'A' + 'a' : c); });
  if (prefix == "aws:") {
    return ValidationError("tag key " + Quote(key) +
                           " starts with 'aws:', which is reserved by AWS");
  }
  return Status::Ok();
}

Status CheckTagValue(std::string_view value) {
  if (value.size() > 256) {
    return ValidationError("tag value must be at most 256 characters, found " +
                           std::to_string(value.size()));
  }
  if (!AllOf(value, IsTagChar)) {
    return ValidationError("tag value " + Quote(value) + " contains " + FirstBad(value, IsTagChar) +
                           "; allowed are letters, digits, spaces and _ . : / = + @ -");
  }
  return Status::Ok();
}

Status CheckModelArn(std::string_view text, const std::optional<std::string>& account_id,
                     const catalog::Catalog& catalog) {
  Result<Arn> parsed = Arn::Parse(text);
  if (!parsed.ok()) return ArnError(Quote(text) + " is not an ARN");
  const Arn& arn = *parsed;
  if (arn.partition != "aws" || arn.service != "bedrock") {
    return ArnError(Quote(text) + " is not a Bedrock ARN of the 'aws' partition");
  }
  BedrockResourceKind kind = ClassifyBedrockArn(arn);
  if (kind == BedrockResourceKind::kApplicationProfile) {
    return ArnError(Quote(text) + " is an application inference profile, which cannot be copied");
  }
  if (kind == BedrockResourceKind::kOther) {
    return ArnError(Quote(text) + " is neither an inference profile nor a foundation model");
  }
  if (catalog::Catalog::Geography(arn.region) != "eu") {
    return ArnError("region " + Quote(arn.region) + " of the ARN is not an EU region");
  }
  if (kind == BedrockResourceKind::kSystemProfile) {
    return CheckSystemProfileArn(arn, account_id, catalog);
  }
  return CheckFoundationModelArn(arn, catalog);
}

Status CheckPrincipalName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && IsAlnum(name.front()) &&
            AllOf(name, [](char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '-'; });
  if (ok) return Status::Ok();
  return ValidationError("principal name " + Quote(name) +
                         " is not valid: expected 1-64 letters, digits, '.', '_' or '-', starting "
                         "with a letter or digit");
}

Status CheckPrincipalArn(std::string_view text) {
  Result<Arn> parsed = Arn::Parse(text);
  auto refuse = [&] {
    return ValidationError(Quote(text) +
                           " is not an IAM role or user ARN: expected "
                           "arn:aws:iam::<12-digit account>:role/<name> or "
                           "arn:aws:iam::<12-digit account>:user/<name>");
  };
  if (!parsed.ok()) return refuse();
  const Arn& arn = *parsed;
  if (arn.partition != "aws" || arn.service != "iam" || !arn.region.empty() ||
      !CheckAccountId(arn.account).ok()) {
    return refuse();
  }
  std::string_view type = arn.ResourceType();
  std::string_view name = arn.ResourceId();
  auto iam_char = [](char c) {
    return IsAlnum(c) || std::string_view("+=,.@_-/").find(c) != std::string_view::npos;
  };
  if ((type != "role" && type != "user") || name.empty() || name.back() == '/' ||
      name.front() == '/' || !AllOf(name, iam_char)) {
    return refuse();
  }
  return Status::Ok();
}

Status CheckAccessKeyId(std::string_view id) {
  if (id.size() >= 16 && id.size() <= 128 &&
      AllOf(id, [](char c) { return IsUpper(c) || IsDigit(c); })) {
    return Status::Ok();
  }
  return ValidationError("access key id " + Quote(id) +
                         " is not valid: expected 16-128 characters [A-Z0-9] (like AKIA...)");
}

Status CheckApiKeySha256(std::string_view digest) {
  if (digest.size() == 64 && AllOf(digest, IsHex)) return Status::Ok();
  return ValidationError("expected a SHA-256 digest as 64 hex digits, found a string of " +
                         std::to_string(digest.size()) + " characters" +
                         (AllOf(digest, IsHex) ? "" : " that is not all hex digits"));
}

Status CheckEnvVarName(std::string_view name) {
  bool ok = !name.empty() && !IsDigit(name.front()) &&
            AllOf(name, [](char c) { return IsAlnum(c) || c == '_'; });
  if (ok) return Status::Ok();
  return ValidationError(Quote(name) +
                         " is not an environment variable name: expected letters, digits and '_', "
                         "not starting with a digit");
}

Status CheckPolicyDocument(std::string_view text) {
  Result<json::Value> doc = json::Parse(text);
  if (!doc.ok())
    return ValidationError("the policy is not valid JSON (" + doc.status().message() + ")");
  if (!doc->is_object()) {
    return ValidationError("the policy must be a JSON object, found " +
                           std::string(json::KindName(*doc)));
  }
  if (!doc->get_object().contains("Statement")) {
    return ValidationError(
        "the policy has no \"Statement\" member (an IAM policy document needs one)");
  }
  return Status::Ok();
}

std::vector<std::string> EuRegions(const catalog::Catalog& catalog) {
  std::set<std::string> regions;
  for (const catalog::FoundationModel& m : catalog.models()) {
    for (const std::string& r : m.regions) {
      if (catalog::Catalog::Geography(r) == "eu") regions.insert(r);
    }
  }
  if (regions.empty()) regions = {"eu-central-1", "eu-west-1", "eu-west-3"};
  return {regions.begin(), regions.end()};
}

}  // namespace bp::config
