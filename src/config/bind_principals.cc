// Binding of `principals = { name = { ... } }`: identities, secrets (inline or
// from the environment), API key digests and policy documents. Secrets are
// never copied into a diagnostic.

#include <algorithm>
#include <map>

#include "config/binder.h"
#include "config/validate.h"

namespace bp::config {

namespace {

constexpr std::string_view kPrincipalKeys[] = {
    "arn",           "access_key_id",     "secret_access_key", "secret_access_key_env",
    "session_token", "session_token_env", "api_key_sha256",    "policy",
    "policies",      "policy_file",       "policy_files",      "tags"};

// State shared by the principals of one file.
struct PrincipalScope {
  const BindContext& context;
  std::map<std::string, const ast::Entry*, std::less<>> access_keys;  // id -> principal
  std::map<std::string, const ast::Entry*, std::less<>> api_keys;     // digest -> principal
};

std::string UsedBy(const ast::Entry& other) {
  return "principal '" + other.key + "' (" + other.key_location.ToString() + ")";
}

}  // namespace

std::optional<std::string> BindSecret(const ast::Entry& entry, const std::string& path,
                                      const std::string& key, bool required,
                                      const BindContext& context, DiagnosticSink& sink) {
  const std::vector<ast::Entry>& fields = entry.value.entries;
  std::string env_key = key + "_env";
  bool written = FindSet(fields, key) != nullptr || FindSet(fields, env_key) != nullptr;
  const ast::Value* inline_value = StringMember(fields, key, path, entry.key_location, false, sink);
  const ast::Value* env_name = StringMember(fields, env_key, path, entry.key_location, false, sink);
  if (inline_value != nullptr && env_name != nullptr) {
    sink.Error(env_name->location, path + ": give either " + key + " or " + env_key + ", not both");
    return std::nullopt;
  }
  if (inline_value != nullptr) {
    if (!inline_value->text.empty()) return inline_value->text;
    sink.Error(inline_value->location, path + "." + key + ": must not be empty");
    return std::nullopt;
  }
  if (env_name != nullptr) {
    std::string env_path = path + "." + env_key;
    if (!sink.Check(CheckEnvVarName(env_name->text), env_name->location, env_path))
      return std::nullopt;
    std::optional<std::string> value = context.env ? context.env(env_name->text) : std::nullopt;
    if (!value || value->empty()) {
      sink.Error(env_name->location, env_path + ": environment variable '" + env_name->text +
                                         (value ? "' is empty" : "' is not set"));
      return std::nullopt;
    }
    return value;
  }
  if (required && !written) {
    sink.Error(entry.key_location, path + ": a secret is required: set " + key + " or " + env_key);
  }
  return std::nullopt;
}

namespace {

void AddApiKey(const ast::Value& item, const std::string& path, const ast::Entry& owner,
               PrincipalScope& scope, PrincipalConfig& principal, DiagnosticSink& sink) {
  if (!ExpectKind(item, ast::Kind::kString, path, sink)) return;
  if (!sink.Check(CheckApiKeySha256(item.text), item.location, path)) return;
  std::string digest = item.text;
  std::transform(digest.begin(), digest.end(), digest.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  });
  auto [it, inserted] = scope.api_keys.emplace(digest, &owner);
  if (!inserted) {
    sink.Error(item.location,
               path + ": the same API key digest is already given for " + UsedBy(*it->second));
    return;
  }
  principal.api_key_sha256.push_back(std::move(digest));
}

void BindApiKeys(const ast::Entry& entry, const std::string& path, PrincipalScope& scope,
                 PrincipalConfig& principal, DiagnosticSink& sink) {
  const ast::Entry* keys = FindSet(entry.value.entries, "api_key_sha256");
  if (keys == nullptr) return;
  std::string key_path = path + ".api_key_sha256";
  if (keys->value.kind == ast::Kind::kList) {
    for (size_t i = 0; i < keys->value.items.size(); ++i) {
      AddApiKey(keys->value.items[i], IndexPath(key_path, i), entry, scope, principal, sink);
    }
  } else if (keys->value.kind == ast::Kind::kString) {
    AddApiKey(keys->value, key_path, entry, scope, principal, sink);
  } else {
    sink.Error(keys->value.location, key_path + ": expected a string or a list of strings, found " +
                                         std::string(ast::KindName(keys->value.kind)));
  }
}

void AddInlinePolicy(const ast::Value& value, const std::string& path, PrincipalConfig& principal,
                     DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kString, path, sink)) return;
  if (!sink.Check(CheckPolicyDocument(value.text), value.location, path)) return;
  principal.policies.push_back(PolicyDocument{value.text, value.location.ToString()});
}

void AddPolicyFile(const ast::Value& value, const std::string& path, const BindContext& context,
                   PrincipalConfig& principal, DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kString, path, sink)) return;
  if (value.text.empty()) {
    sink.Error(value.location, path + ": must name a file");
    return;
  }
  std::filesystem::path file(value.text);
  if (file.is_relative()) file = context.base_dir / file;
  if (!context.read_file) {
    sink.Error(value.location,
               path + ": policy files cannot be read here ('" + file.string() + "')");
    return;
  }
  Result<std::string> text = context.read_file(file);
  if (!text.ok()) {
    sink.Error(value.location, path + ": cannot read policy file '" + file.string() +
                                   "': " + text.status().message());
    return;
  }
  if (!sink.Check(CheckPolicyDocument(*text), value.location, path + " ('" + file.string() + "')"))
    return;
  principal.policies.push_back(PolicyDocument{std::move(*text), file.string()});
}

// policy, policies, policy_file, policy_files: all of them add up.
void BindPolicies(const ast::Entry& entry, const std::string& path, const BindContext& context,
                  PrincipalConfig& principal, DiagnosticSink& sink) {
  const std::vector<ast::Entry>& fields = entry.value.entries;
  bool any = false;
  for (bool is_file : {false, true}) {
    std::string single = is_file ? "policy_file" : "policy";
    std::string multiple = is_file ? "policy_files" : "policies";
    auto add = [&](const ast::Value& v, const std::string& p) {
      any = true;
      if (is_file) {
        AddPolicyFile(v, p, context, principal, sink);
      } else {
        AddInlinePolicy(v, p, principal, sink);
      }
    };
    if (const ast::Entry* one = FindSet(fields, single)) add(one->value, ChildPath(path, single));
    const ast::Entry* many = FindSet(fields, multiple);
    std::string many_path = ChildPath(path, multiple);
    if (many == nullptr || !ExpectKind(many->value, ast::Kind::kList, many_path, sink)) continue;
    for (size_t i = 0; i < many->value.items.size(); ++i) {
      add(many->value.items[i], IndexPath(many_path, i));
    }
  }
  if (!any) {
    sink.Warning(entry.key_location,
                 path + ": no policy is attached, so every request it signs will be denied");
  }
}

void BindIdentity(const ast::Entry& entry, const std::string& path, PrincipalScope& scope,
                  PrincipalConfig& principal, DiagnosticSink& sink) {
  const std::vector<ast::Entry>& fields = entry.value.entries;
  if (const ast::Value* arn = StringMember(fields, "arn", path, entry.key_location, true, sink)) {
    sink.Check(CheckPrincipalArn(arn->text), arn->location, path + ".arn");
    principal.arn = arn->text;
  }
  const ast::Value* key =
      StringMember(fields, "access_key_id", path, entry.key_location, true, sink);
  if (key == nullptr ||
      !sink.Check(CheckAccessKeyId(key->text), key->location, path + ".access_key_id")) {
    return;
  }
  auto [it, inserted] = scope.access_keys.emplace(key->text, &entry);
  if (!inserted) {
    sink.Error(key->location, path + ".access_key_id: '" + key->text + "' is already used by " +
                                  UsedBy(*it->second));
  }
  principal.access_key_id = key->text;
}

std::optional<PrincipalConfig> BindPrincipal(const ast::Entry& entry, PrincipalScope& scope,
                                             DiagnosticSink& sink) {
  size_t errors_before = sink.error_count();
  std::string path = ChildPath("principals", entry.key);
  sink.Check(CheckPrincipalName(entry.key), entry.key_location, "principals");
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return std::nullopt;
  CheckKeys(entry.value.entries, kPrincipalKeys, path, sink);

  PrincipalConfig principal;
  principal.name = entry.key;
  principal.location = entry.key_location;
  BindIdentity(entry, path, scope, principal, sink);
  if (auto secret = BindSecret(entry, path, "secret_access_key", true, scope.context, sink)) {
    principal.secret_access_key = std::move(*secret);
  }
  principal.session_token = BindSecret(entry, path, "session_token", false, scope.context, sink);
  BindApiKeys(entry, path, scope, principal, sink);
  BindPolicies(entry, path, scope.context, principal, sink);
  if (const ast::Entry* tags = FindSet(entry.value.entries, "tags")) {
    principal.tags = BindTags(tags->value, path + ".tags", sink);
  }
  if (sink.error_count() != errors_before) return std::nullopt;
  return principal;
}

}  // namespace

std::vector<PrincipalConfig> BindPrincipals(const ast::Value& principals,
                                            const BindContext& context, DiagnosticSink& sink) {
  std::vector<PrincipalConfig> out;
  if (!ExpectKind(principals, ast::Kind::kObject, "principals", sink)) return out;
  PrincipalScope scope{context, {}, {}};
  for (const ast::Entry& entry : principals.entries) {
    if (auto principal = BindPrincipal(entry, scope, sink)) out.push_back(std::move(*principal));
  }
  std::sort(out.begin(), out.end(),
            [](const PrincipalConfig& a, const PrincipalConfig& b) { return a.name < b.name; });
  return out;
}

}  // namespace bp::config
