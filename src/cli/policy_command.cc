// `policy NAME`: the consumer policy of one profile. `policy --principal P
// [NAME...]`: P's policy from the config with the statements added that it
// lacks to invoke those profiles, as the config snippet to paste.
#include <iostream>
#include <memory>
#include <utility>

#include "auth/iam/consumer_policy.h"
#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"
#include "cli/client_setup.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/help.h"
#include "cli/profile_arn.h"
#include "core/arn.h"
#include "json/json.h"
#include "planner/json_pretty.h"
#include "planner/output.h"

namespace bp::cli {

namespace {

namespace iam = auth::iam;

constexpr std::string_view kInvokeActions[] = {"bedrock:InvokeModel",
                                               "bedrock:InvokeModelWithResponseStream"};

struct PolicyArgs {
  std::vector<std::string> names;
  std::string principal;  // --principal: whose policy to complete
  std::string config;
  ClientFlags client{.principal_option = "--sign-as"};
  bool json = false;
};

// The endpoint, connected on first use (only an unpinned profile needs it).
class LiveLookup {
 public:
  LiveLookup(const ClientFlags& flags, const config::Config& config)
      : flags_(flags), config_(config) {}

  // Without --endpoint a pinned profile's ARN follows from the config (the
  // id `serve` creates it under); with it, the endpoint's (profile_arn.h).
  Result<ProfileTarget> Resolve(const LoadedConfig& loaded, const config::ProfileConfig& p) {
    if (flags_.endpoint.empty()) {
      if (!p.id) {
        return ValidationError("profile '" + p.name +
                               "' has no pinned id, so its ARN exists only on the endpoint that "
                               "created it: pass --endpoint URL to read it there, or pin `id` in "
                               "the config");
      }
      return ResolveProfile(loaded, p,
                            ApplicationProfileArn(config_.region, config_.account_id, *p.id));
    }
    if (!client_) {
      BP_ASSIGN_OR_RETURN(client_, MakeControlClient(flags_, config_, clock_));
    }
    BP_ASSIGN_OR_RETURN(std::string arn, ConfiguredProfileArn(p, config_, *client_));
    return ResolveProfile(loaded, p, std::move(arn));
  }

 private:
  const ClientFlags& flags_;
  const config::Config& config_;
  SystemClock clock_;
  std::unique_ptr<api::client::BedrockClient> client_;
};

const config::ProfileConfig* FindOrReport(const config::Config& cfg, const std::string& name) {
  const config::ProfileConfig* profile = cfg.FindProfile(name);
  if (profile != nullptr) return profile;
  std::cerr << "error: " << planner::NotConfiguredError(cfg, name).message() << "\n";
  return nullptr;
}

// The consumer policy of one profile, parsed (the generator's output goes
// through bp_json all the same, so a bug there is an error, not an exception).
Result<json::Value> ConsumerPolicy(const ProfileTarget& target) {
  BP_ASSIGN_OR_RETURN(std::string text, iam::ConsumerPolicyJson(target.arn, target.model_id));
  return json::Parse(text);
}

int PrintProfilePolicy(const PolicyArgs& args, const LoadedConfig& loaded) {
  if (args.names.size() != 1) {
    std::cerr << "error: policy takes one profile NAME (or --principal P with any number)\n";
    return 2;
  }
  const config::ProfileConfig* profile = FindOrReport(loaded.config, args.names[0]);
  if (profile == nullptr) return 1;
  LiveLookup lookup(args.client, loaded.config);
  auto target = lookup.Resolve(loaded, *profile);
  if (!target.ok()) {
    std::cerr << "error: " << target.status().ToString() << "\n";
    return 1;
  }
  auto text = iam::ConsumerPolicyJson(target->arn, target->model_id);
  if (!text.ok()) {
    std::cerr << "error: " << text.status().ToString() << "\n";
    return 1;
  }
  if (!args.json) {
    std::cout << *text;
    return 0;
  }
  auto policy = json::Parse(*text);
  if (!policy.ok()) {
    std::cerr << "error: the generated policy is not JSON: " << policy.status().ToString() << "\n";
    return 1;
  }
  json::Object out{{"profile", profile->name},
                   {"profileArn", target->arn},
                   {"modelId", target->model_id},
                   {"policy", std::move(*policy)}};
  std::cout << json::Serialize(out) << "\n";
  return 0;
}

// "rd-haiku-45-eval" -> "RdHaiku45Eval": a Sid suffix (Sids are [A-Za-z0-9]).
std::string SidSuffix(std::string_view name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

// Whether `principal`'s policies allow both invoke actions on every request.
// Sets `denied` to the decision's description when a Deny decides.
bool AllAllowed(const std::vector<const iam::Policy*>& policies,
                const std::vector<iam::Request>& requests, std::string& denied) {
  bool all = true;
  for (const iam::Request& r : requests) {
    iam::Decision d = iam::Evaluate(policies, r);
    if (d.outcome == iam::Outcome::kExplicitDeny) denied = r.resource + ": " + d.Describe();
    all = all && d.allowed();
  }
  return all;
}

struct Completion {
  json::Array added;                  // statements to add
  std::vector<std::string> profiles;  // they are for
  std::vector<std::string> denials;   // explicit denies an Allow cannot lift
};

// The statements `principal` lacks to invoke `target` through `profile`.
Result<Completion> Missing(const LoadedConfig& loaded, const config::PrincipalConfig& principal,
                           const std::vector<const iam::Policy*>& policies,
                           const config::ProfileConfig& profile, const ProfileTarget& target) {
  bool profile_ok = true;
  bool model_ok = true;
  Completion c;
  for (std::string_view action : kInvokeActions) {
    std::vector<iam::Request> requests =
        ProfileRequests(loaded.config, principal, profile, target, action);
    std::string denied;
    profile_ok = AllAllowed(policies, {requests[0]}, denied) && profile_ok;
    model_ok = AllAllowed(policies, {requests.begin() + 1, requests.end()}, denied) && model_ok;
    if (!denied.empty()) c.denials.push_back(std::string(action) + " on " + denied);
  }
  if (profile_ok && model_ok) return c;
  BP_ASSIGN_OR_RETURN(json::Value consumer, ConsumerPolicy(target));
  const json::Array& statements = consumer.as_object().at("Statement").as_array();
  for (size_t i = 0; i < statements.size(); ++i) {
    if ((i == 0 && profile_ok) || (i == 1 && model_ok)) continue;
    json::Object statement = statements[i].as_object();
    statement["Sid"] = std::string(statement["Sid"].as_string()) + SidSuffix(profile.name);
    c.added.emplace_back(std::move(statement));
  }
  c.profiles.push_back(profile.name);
  return c;
}

// The principal's first policy document as JSON ({"Version", "Statement":[]}
// when it has none), with Statement always a list.
Result<json::Object> BaseDocument(const config::PrincipalConfig& principal) {
  if (principal.policies.empty()) {
    return json::Object{{"Version", "2012-10-17"}, {"Statement", json::Array()}};
  }
  BP_ASSIGN_OR_RETURN(json::Value doc, json::Parse(principal.policies[0].text));
  BP_ASSIGN_OR_RETURN(const json::Object* obj, json::RequireObject(doc, "$"));
  json::Object out = *obj;
  json::Value& statements = out["Statement"];
  if (!statements.is_array()) {
    json::Array list;
    if (!statements.is_null()) list.push_back(statements);
    statements = std::move(list);
  }
  return out;
}

// "file:12:5" is an inline policy's origin; anything else names a policy file.
bool IsInlineOrigin(std::string_view origin) {
  int colons = 0;
  size_t i = origin.size();
  while (i > 0 && colons < 2) {
    char c = origin[i - 1];
    if (c == ':') {
      ++colons;
    } else if (c < '0' || c > '9') {
      return false;
    }
    --i;
  }
  return colons == 2;
}

// `policy = <<-EOT ... EOT` indented as the shipped config writes it.
std::string Heredoc(const std::string& pretty) {
  std::string out = "    policy            = <<-EOT\n";
  size_t start = 0;
  while (start < pretty.size()) {
    size_t end = pretty.find('\n', start);
    if (end == std::string::npos) end = pretty.size();
    out += "      " + pretty.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out + "    EOT\n";
}

int PrintPrincipalPolicy(const PolicyArgs& args, const LoadedConfig& loaded) {
  const config::Config& cfg = loaded.config;
  const config::PrincipalConfig* principal = cfg.FindPrincipal(args.principal);
  if (principal == nullptr) {
    std::cerr << "error: no principal named '" << args.principal << "' in " << cfg.source
              << "; configured:";
    for (const auto& p : cfg.principals) std::cerr << " " << p.name;
    std::cerr << "\n";
    return 1;
  }
  std::vector<iam::Policy> parsed;
  for (const config::PolicyDocument& doc : principal->policies) {
    auto policy = iam::ParsePolicy(doc.text, doc.origin);
    if (!policy.ok()) {
      std::cerr << "error: " << policy.status().ToString() << "\n";
      return 1;
    }
    parsed.push_back(std::move(policy).value());
  }
  std::vector<const iam::Policy*> policies;
  for (const iam::Policy& p : parsed) policies.push_back(&p);

  std::vector<std::string> names = args.names;
  if (names.empty()) {
    for (const auto& p : cfg.profiles) names.push_back(p.name);
  }
  LiveLookup lookup(args.client, cfg);
  Completion all;
  for (const std::string& name : names) {
    const config::ProfileConfig* profile = FindOrReport(cfg, name);
    if (profile == nullptr) return 1;
    auto target = lookup.Resolve(loaded, *profile);
    if (!target.ok()) {
      std::cerr << "error: " << target.status().ToString() << "\n";
      return 1;
    }
    auto missing = Missing(loaded, *principal, policies, *profile, *target);
    if (!missing.ok()) {
      std::cerr << "error: " << missing.status().ToString() << "\n";
      return 1;
    }
    for (json::Value& s : missing->added) all.added.push_back(std::move(s));
    for (std::string& p : missing->profiles) all.profiles.push_back(std::move(p));
    for (std::string& d : missing->denials) all.denials.push_back(std::move(d));
  }
  for (const std::string& d : all.denials) {
    std::cerr << "warning: " << d << "; an added Allow does not lift an explicit Deny\n";
  }
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : ", ") + n;
  auto base = BaseDocument(*principal);
  if (!base.ok()) {
    std::cerr << "error: " << base.status().ToString() << "\n";
    return 1;
  }
  if (all.added.empty()) {
    // --json still prints the document (unchanged), so scripts get one either way.
    (args.json ? std::cerr : std::cout)
        << "principal '" << principal->name << "' may already invoke " << joined
        << ": nothing to add\n";
    if (args.json) std::cout << planner::PrettyJson(json::Value(std::move(*base))) << "\n";
    return 0;
  }
  json::Array& statements = (*base)["Statement"].as_array();
  for (json::Value& s : all.added) statements.push_back(std::move(s));
  std::string pretty = planner::PrettyJson(json::Value(std::move(*base)));
  if (args.json) {
    std::cout << pretty << "\n";
    return 0;
  }
  std::string profiles;
  for (const std::string& n : all.profiles) profiles += (profiles.empty() ? "" : ", ") + n;
  std::string origin = principal->policies.empty() ? "" : principal->policies[0].origin;
  std::cout << "# principals." << principal->name << ": " << all.added.size()
            << " statement(s) added for " << profiles;
  if (principal->policies.empty()) {
    std::cout << " (it had no policy); paste into its entry in " << cfg.source << ":\n";
  } else if (IsInlineOrigin(origin)) {
    std::cout << "; paste over its policy at " << origin << ":\n";
  } else {
    std::cout << "; replace the contents of " << origin << " with:\n" << pretty << "\n";
    return 0;
  }
  if (principal->policies.size() > 1) {
    std::cout << "# (it has " << principal->policies.size()
              << " policy documents; the statements go into the first)\n";
  }
  std::cout << Heredoc(pretty);
  return 0;
}

int RunPolicy(const PolicyArgs& args) {
  std::optional<LoadedConfig> loaded = LoadConfigOrReport(args.config);
  if (!loaded) return 1;
  if (!args.principal.empty()) return PrintPrincipalPolicy(args, *loaded);
  return PrintProfilePolicy(args, *loaded);
}

}  // namespace

void AddPolicyCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<PolicyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "policy",
      "Print the IAM policy a consumer of profile NAME needs (the seed's two statements:\n"
      "invoke on the profile ARN, and on its foundation model in any region), as JSON.\n"
      "With --principal P: P's policy from the config with the statements added that it\n"
      "lacks to invoke the NAMEd profiles (default: all), as the `policy = <<-EOT` snippet\n"
      "to paste (--json: only the document). A profile without a pinned `id` has its ARN\n"
      "read from --endpoint (ListInferenceProfiles, signed with --sign-as or the AWS chain).");
  cmd->add_option("NAME", args->names, "profile name(s), e.g. rd-haiku-45");
  cmd->add_option("--principal", args->principal,
                  "complete this config principal's policy instead of printing a new one");
  cmd->add_option("--config", args->config, "config file (.hcl or .json)");
  cmd->add_flag("--json", args->json,
                "one JSON object: profile, profileArn, modelId and the policy; with "
                "--principal, the completed policy document");
  AddClientFlags(cmd, args->client);
  SetHelpFooter(
      cmd, {.examples = "bedrock-profiles policy rd-haiku-45 > rd-haiku-45-policy.json\n"
                        "bedrock-profiles policy rd-haiku-45-eval --endpoint "
                        "http://127.0.0.1:8700 --sign-as platform-admin\n"
                        "bedrock-profiles policy --principal rd-e2e rd-haiku-45-eval --endpoint "
                        "http://127.0.0.1:8700 --sign-as platform-admin",
            .notes = "An unpinned profile without --endpoint is an error: pass --endpoint or pin "
                     "`id` in the config."});
  cmd->callback([args, exit_code] { *exit_code = RunPolicy(*args); });
}

}  // namespace bp::cli
