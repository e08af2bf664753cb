// regions = { ... } and routing = { ... }: where runtime calls are served and
// how a call picks among its profile's regions.

#include <algorithm>
#include <cctype>
#include <set>

#include "config/binder.h"
#include "config/source_text.h"
#include "config/validate.h"
#include "core/arn.h"

namespace bp::config {

namespace {

constexpr std::string_view kRegionKeys[] = {"backend", "simulated", "bedrock",
                                            "openai",  "faults",    "service_tiers"};
constexpr std::string_view kBedrockKeys[] = {"endpoint",
                                             "model_id",
                                             "profile_model_ids",
                                             "connect_timeout_ms",
                                             "first_byte_timeout_ms",
                                             "idle_timeout_ms",
                                             "max_concurrency"};
constexpr std::string_view kBedrockModelIds[] = {"foundation-model", "system-profile"};
constexpr std::string_view kOpenAiKeys[] = {"base_url",
                                            "model",
                                            "api_key_env",
                                            "connect_timeout_ms",
                                            "first_byte_timeout_ms",
                                            "idle_timeout_ms",
                                            "max_concurrency"};
constexpr std::string_view kSimulatedKeys[] = {"time_to_first_token_ms", "tokens_per_second"};
constexpr std::string_view kFaultKeys[] = {"error_rate", "throttle_rate", "mid_stream_error_rate",
                                           "outage", "seed"};
constexpr std::string_view kRoutingKeys[] = {
    "policy",       "home_region",      "overflow_outstanding", "failure_threshold",
    "open_seconds", "max_open_seconds", "max_attempts",         "first_token_timeout_ms"};
constexpr std::string_view kServerKeys[] = {"header_timeout_ms", "request_timeout_ms",
                                            "idle_timeout_ms", "max_connections",
                                            "max_body_bytes_in_flight"};
constexpr std::string_view kBackends[] = {"simulated", "bedrock", "openai"};
constexpr std::string_view kPolicies[] = {"home-first", "least-outstanding"};

std::optional<bool> BoolMember(const std::vector<ast::Entry>& entries, std::string_view key,
                               std::string_view path, DiagnosticSink& sink) {
  const ast::Entry* entry = FindSet(entries, key);
  if (entry == nullptr) return std::nullopt;
  if (!ExpectKind(entry->value, ast::Kind::kBool, ChildPath(path, key), sink)) return std::nullopt;
  return entry->value.boolean;
}

// A string member that must be one of `allowed`.
const ast::Value* ChoiceMember(const std::vector<ast::Entry>& entries, std::string_view key,
                               std::string_view path, std::span<const std::string_view> allowed,
                               DiagnosticSink& sink) {
  const ast::Value* v = StringMember(entries, key, path, {}, false, sink);
  if (v == nullptr) return nullptr;
  if (std::find(allowed.begin(), allowed.end(), v->text) != allowed.end()) return v;
  std::string message = ChildPath(path, key) + ": unknown value '" + v->text + "'";
  if (auto match = ClosestMatch(v->text, allowed)) {
    message += "; did you mean '" + std::string(*match) + "'?";
  } else {
    message += "; expected one of: ";
    for (size_t i = 0; i < allowed.size(); ++i)
      message += (i ? ", " : "") + std::string(allowed[i]);
  }
  sink.Error(v->location, std::move(message));
  return nullptr;
}

// service_tiers = ["default", "priority", ...]: known names, no repeats, not empty.
void BindServiceTiers(const ast::Entry& entry, const std::string& path,
                      std::vector<std::string>& out, DiagnosticSink& sink) {
  if (!ExpectKind(entry.value, ast::Kind::kList, path, sink)) return;
  if (entry.value.items.empty()) {
    sink.Error(entry.value.location,
               path + ": lists no tier; a region must offer at least one (e.g. \"default\")");
    return;
  }
  std::vector<std::string> tiers;
  for (size_t i = 0; i < entry.value.items.size(); ++i) {
    const ast::Value& item = entry.value.items[i];
    std::string item_path = IndexPath(path, i);
    if (!ExpectKind(item, ast::Kind::kString, item_path, sink)) return;
    if (std::find(std::begin(kServiceTiers), std::end(kServiceTiers), item.text) ==
        std::end(kServiceTiers)) {
      std::string message = item_path + ": unknown service tier '" + item.text + "'";
      if (item.text == "standard") {
        message += "; Bedrock's Standard tier is named 'default' on the wire";
      } else if (auto match = ClosestMatch(item.text, kServiceTiers)) {
        message += "; did you mean '" + std::string(*match) + "'?";
      } else {
        message += "; expected one of: default, priority, flex, reserved";
      }
      sink.Error(item.location, std::move(message));
      return;
    }
    if (std::find(tiers.begin(), tiers.end(), item.text) != tiers.end()) {
      sink.Error(item.location, item_path + ": '" + item.text + "' is listed twice");
      return;
    }
    tiers.push_back(item.text);
  }
  out = std::move(tiers);
}

void BindSimulated(const ast::Value& value, const std::string& path, SimulatedConfig& out,
                   DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kObject, path, sink)) return;
  CheckKeys(value.entries, kSimulatedKeys, path, sink);
  if (auto v = NumberMember(value.entries, "time_to_first_token_ms", path, 0, 600'000, true, sink))
    out.time_to_first_token_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(value.entries, "tokens_per_second", path, 0, 1'000'000, false, sink))
    out.tokens_per_second = *v;
}

void BindFaults(const ast::Value& value, const std::string& path, FaultConfig& out,
                DiagnosticSink& sink) {
  if (!ExpectKind(value, ast::Kind::kObject, path, sink)) return;
  CheckKeys(value.entries, kFaultKeys, path, sink);
  if (auto v = NumberMember(value.entries, "error_rate", path, 0, 1, false, sink))
    out.error_rate = *v;
  if (auto v = NumberMember(value.entries, "throttle_rate", path, 0, 1, false, sink))
    out.throttle_rate = *v;
  if (auto v = NumberMember(value.entries, "mid_stream_error_rate", path, 0, 1, false, sink))
    out.mid_stream_error_rate = *v;
  if (auto v = BoolMember(value.entries, "outage", path, sink)) out.outage = *v;
  if (auto v = NumberMember(value.entries, "seed", path, 0, 9007199254740992.0, true, sink))
    out.seed = static_cast<uint64_t>(*v);
}

// An upstream URL: http:// or https://, a host, no user information, query
// or fragment. (The HTTP client parses it in full when serve starts.)
bool CheckUpstreamUrl(const ast::Value& v, const std::string& path, DiagnosticSink& sink) {
  std::string_view url = v.text;
  auto starts = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    }
    return true;
  };
  size_t rest = starts("https://") ? 8 : starts("http://") ? 7 : 0;
  std::string why;
  if (rest == 0) {
    why = "must start with http:// or https://";
  } else if (url.size() == rest || url[rest] == '/' || url[rest] == ':') {
    why = "names no host";
  } else if (url.find_first_of("?#") != std::string_view::npos) {
    why = "may hold no query or fragment";
  } else if (url.substr(rest, url.find('/', rest) - rest).find('@') != std::string_view::npos) {
    why = "may hold no user information (credentials come from the environment)";
  } else if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
    why = "holds white space";
  }
  if (why.empty()) return true;
  sink.Error(v.location, path + ": '" + std::string(url) + "' " + why);
  return false;
}

// An environment variable's name: [A-Za-z_][A-Za-z0-9_]*.
bool CheckEnvName(const ast::Value& v, const std::string& path, DiagnosticSink& sink) {
  bool ok = !v.text.empty() && !std::isdigit(static_cast<unsigned char>(v.text[0]));
  for (char c : v.text) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) sink.Error(v.location, path + ": '" + v.text + "' is not an environment variable name");
  return ok;
}

void BindUpstreamLimits(const std::vector<ast::Entry>& entries, const std::string& path,
                        UpstreamLimitsConfig& out, DiagnosticSink& sink) {
  if (auto v = NumberMember(entries, "connect_timeout_ms", path, 1, 600'000, true, sink))
    out.connect_timeout_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(entries, "first_byte_timeout_ms", path, 1, 3'600'000, true, sink))
    out.first_byte_timeout_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(entries, "idle_timeout_ms", path, 1, 3'600'000, true, sink))
    out.idle_timeout_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(entries, "max_concurrency", path, 1, 1'000'000, true, sink))
    out.max_concurrency = static_cast<uint32_t>(*v);
}

// What Bedrock accepts as a modelId: a foundation model id, an inference
// profile id, or the ARN of a foundation model, an inference profile or an
// application inference profile.
Status CheckUpstreamModelId(std::string_view id) {
  if (id.rfind("arn:", 0) == 0) {
    Result<Arn> arn = Arn::Parse(id);
    if (!arn.ok()) return ValidationError("not a valid ARN: " + arn.status().message());
    if (arn->service != "bedrock" || ClassifyBedrockArn(*arn) == BedrockResourceKind::kOther) {
      return ValidationError("'" + std::string(id) +
                             "' is not the ARN of a Bedrock foundation model or inference profile");
    }
    return Status::Ok();
  }
  const bool plain =
      !id.empty() && id.size() <= 2048 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '_';
      });
  if (!plain) {
    return ValidationError("'" + std::string(id) +
                           "' is not a model id, inference profile id or ARN");
  }
  return Status::Ok();
}

void BindBedrock(const ast::Entry& entry, const std::string& path, BedrockBackendConfig& out,
                 DiagnosticSink& sink) {
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return;
  out.location = entry.key_location;
  CheckKeys(entry.value.entries, kBedrockKeys, path, sink);
  if (const ast::Value* v = StringMember(entry.value.entries, "endpoint", path, {}, false, sink)) {
    if (CheckUpstreamUrl(*v, ChildPath(path, "endpoint"), sink)) out.endpoint = v->text;
  }
  if (const ast::Value* v =
          ChoiceMember(entry.value.entries, "model_id", path, kBedrockModelIds, sink)) {
    out.model_id = v->text;
  }
  if (const ast::Entry* ids = FindSet(entry.value.entries, "profile_model_ids")) {
    const std::string ids_path = ChildPath(path, "profile_model_ids");
    if (ExpectKind(ids->value, ast::Kind::kObject, ids_path, sink)) {
      for (const ast::Entry& e : ids->value.entries) {
        const std::string id_path = ChildPath(ids_path, e.key);
        if (!ExpectKind(e.value, ast::Kind::kString, id_path, sink)) continue;
        if (Status valid = CheckUpstreamModelId(e.value.text); !valid.ok()) {
          sink.Error(e.value.location, id_path + ": " + valid.message());
          continue;
        }
        out.profile_model_ids.emplace(e.key, e.value.text);
      }
    }
  }
  BindUpstreamLimits(entry.value.entries, path, out.limits, sink);
}

void BindOpenAi(const ast::Entry& entry, const std::string& path, OpenAiBackendConfig& out,
                DiagnosticSink& sink) {
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return;
  out.location = entry.key_location;
  const std::vector<ast::Entry>& fields = entry.value.entries;
  CheckKeys(fields, kOpenAiKeys, path, sink);
  if (const ast::Value* v =
          StringMember(fields, "base_url", path, entry.key_location, true, sink)) {
    if (CheckUpstreamUrl(*v, ChildPath(path, "base_url"), sink)) out.base_url = v->text;
  }
  if (const ast::Value* v = StringMember(fields, "model", path, entry.key_location, true, sink)) {
    if (v->text.empty()) {
      sink.Error(v->location, ChildPath(path, "model") + ": must name the upstream model");
    } else {
      out.model = v->text;
    }
  }
  if (const ast::Value* v = StringMember(fields, "api_key_env", path, {}, false, sink)) {
    if (CheckEnvName(*v, ChildPath(path, "api_key_env"), sink)) out.api_key_env = v->text;
  }
  BindUpstreamLimits(fields, path, out.limits, sink);
}

std::optional<RegionConfig> BindRegion(const ast::Entry& entry, const BindContext& context,
                                       DiagnosticSink& sink) {
  size_t errors_before = sink.error_count();
  std::string path = ChildPath("regions", entry.key);
  sink.Check(CheckRegion(entry.key, context.catalog), entry.key_location, "regions");
  if (!ExpectKind(entry.value, ast::Kind::kObject, path, sink)) return std::nullopt;
  const std::vector<ast::Entry>& fields = entry.value.entries;
  CheckKeys(fields, kRegionKeys, path, sink);
  RegionConfig region;
  region.name = entry.key;
  region.location = entry.key_location;
  if (const ast::Value* b = StringMember(fields, "backend", path, {}, false, sink)) {
    if (ChoiceMember(fields, "backend", path, kBackends, sink) != nullptr) region.backend = b->text;
  }
  if (const ast::Entry* sim = FindSet(fields, "simulated")) {
    BindSimulated(sim->value, path + ".simulated", region.simulated, sink);
  }
  const ast::Entry* bedrock = FindSet(fields, "bedrock");
  const ast::Entry* openai = FindSet(fields, "openai");
  if (bedrock != nullptr) BindBedrock(*bedrock, path + ".bedrock", region.bedrock, sink);
  if (openai != nullptr) BindOpenAi(*openai, path + ".openai", region.openai, sink);
  // The block of another kind than the region's backend is a mistake, not
  // something to ignore (a region meant to be real would answer simulated).
  for (const ast::Entry* block : {bedrock, openai}) {
    if (block == nullptr || block->key == region.backend) continue;
    sink.Error(block->key_location,
               path + "." + block->key + ": set, but the region's backend is '" + region.backend +
                   "'; set backend = \"" + block->key + "\" or remove the block");
  }
  if (region.backend == "openai" && openai == nullptr) {
    sink.Error(entry.key_location,
               path +
                   ": backend \"openai\" needs an openai = { base_url = \"...\", model = "
                   "\"...\" } block");
  }
  if (const ast::Entry* faults = FindSet(fields, "faults")) {
    BindFaults(faults->value, path + ".faults", region.faults, sink);
  }
  if (const ast::Entry* tiers = FindSet(fields, "service_tiers")) {
    BindServiceTiers(*tiers, path + ".service_tiers", region.service_tiers, sink);
  }
  if (sink.error_count() != errors_before) return std::nullopt;
  return region;
}

// The regions a profile's calls may be served in: its system profile's
// destinations, or the foundation model's own region.
std::vector<std::string> DestinationRegions(const ProfileConfig& profile,
                                            const catalog::Catalog& catalog) {
  auto arn = Arn::Parse(profile.model_arn);
  if (!arn.ok()) return {};
  if (ClassifyBedrockArn(*arn) == BedrockResourceKind::kSystemProfile) {
    if (const catalog::SystemProfile* sp = catalog.FindSystemProfile(arn->ResourceId())) {
      return sp->regions;
    }
    return {};
  }
  return {arn->region};
}

}  // namespace

std::vector<RegionConfig> BindRegions(const ast::Value& value, const BindContext& context,
                                      DiagnosticSink& sink) {
  std::vector<RegionConfig> out;
  if (!ExpectKind(value, ast::Kind::kObject, "regions", sink)) return out;
  for (const ast::Entry& entry : value.entries) {
    if (auto region = BindRegion(entry, context, sink)) out.push_back(std::move(*region));
  }
  std::sort(out.begin(), out.end(),
            [](const RegionConfig& a, const RegionConfig& b) { return a.name < b.name; });
  return out;
}

RoutingConfig BindRouting(const ast::Value& value, DiagnosticSink& sink) {
  RoutingConfig out;
  if (!ExpectKind(value, ast::Kind::kObject, "routing", sink)) return out;
  const std::vector<ast::Entry>& f = value.entries;
  CheckKeys(f, kRoutingKeys, "routing", sink);
  if (const ast::Value* p = ChoiceMember(f, "policy", "routing", kPolicies, sink)) {
    out.policy = p->text;
  }
  if (const ast::Value* h = StringMember(f, "home_region", "routing", {}, false, sink)) {
    out.home_region = h->text;
  }
  if (auto v = NumberMember(f, "overflow_outstanding", "routing", 1, 1'000'000, true, sink))
    out.overflow_outstanding = static_cast<uint32_t>(*v);
  if (auto v = NumberMember(f, "failure_threshold", "routing", 1, 1000, true, sink))
    out.failure_threshold = static_cast<uint32_t>(*v);
  if (auto v = NumberMember(f, "open_seconds", "routing", 0.001, 86400, false, sink))
    out.open_seconds = *v;
  if (auto v = NumberMember(f, "max_open_seconds", "routing", 0.001, 86400, false, sink))
    out.max_open_seconds = *v;
  if (auto v = NumberMember(f, "max_attempts", "routing", 1, 10, true, sink))
    out.max_attempts = static_cast<uint32_t>(*v);
  if (auto v = NumberMember(f, "first_token_timeout_ms", "routing", 0, 600'000, true, sink))
    out.first_token_timeout_ms = static_cast<int64_t>(*v);
  if (out.max_open_seconds < out.open_seconds) {
    sink.Error(value.location, "routing: max_open_seconds (" + Show(out.max_open_seconds) +
                                   ") is less than open_seconds (" + Show(out.open_seconds) + ")");
  }
  return out;
}

ServerConfig BindServer(const ast::Value& value, DiagnosticSink& sink) {
  ServerConfig out;
  if (!ExpectKind(value, ast::Kind::kObject, "server", sink)) return out;
  const std::vector<ast::Entry>& f = value.entries;
  CheckKeys(f, kServerKeys, "server", sink);
  if (auto v = NumberMember(f, "header_timeout_ms", "server", 100, 3'600'000, true, sink))
    out.header_timeout_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(f, "request_timeout_ms", "server", 100, 3'600'000, true, sink))
    out.request_timeout_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(f, "idle_timeout_ms", "server", 100, 3'600'000, true, sink))
    out.idle_timeout_ms = static_cast<int64_t>(*v);
  if (auto v = NumberMember(f, "max_connections", "server", 0, 10'000'000, true, sink))
    out.max_connections = static_cast<uint64_t>(*v);
  if (auto v = NumberMember(f, "max_body_bytes_in_flight", "server", 1'048'576, 1e12, true, sink))
    out.max_body_bytes_in_flight = static_cast<uint64_t>(*v);
  if (out.header_timeout_ms > out.request_timeout_ms) {
    const ast::Entry* header = FindSet(f, "header_timeout_ms");
    sink.Error(header != nullptr ? header->value.location : value.location,
               "server: header_timeout_ms (" + std::to_string(out.header_timeout_ms) +
                   ") is more than request_timeout_ms (" + std::to_string(out.request_timeout_ms) +
                   ")");
  }
  return out;
}

void BindApprovals(const ast::Value& value, Config& config, DiagnosticSink& sink) {
  constexpr std::string_view kApprovalKeys[] = {"required", "allow_auto_approve"};
  if (!ExpectKind(value, ast::Kind::kObject, "approvals", sink)) return;
  CheckKeys(value.entries, kApprovalKeys, "approvals", sink);
  if (auto v = NumberMember(value.entries, "required", "approvals", 0, 10, true, sink)) {
    config.required_approvals = static_cast<uint32_t>(*v);
  }
  if (auto v = BoolMember(value.entries, "allow_auto_approve", "approvals", sink)) {
    config.allow_auto_approve = *v;
  }
}

void CheckRuntimeSections(const ast::Body& body, const BindContext& context, Config& config,
                          DiagnosticSink& sink) {
  const ast::Entry* regions_entry = FindSet(body.attributes, "regions");
  if (regions_entry == nullptr) {
    // Default: every destination region of the declared profiles, simulated.
    std::set<std::string> names;
    for (const ProfileConfig& p : config.profiles) {
      for (std::string& r : DestinationRegions(p, context.catalog)) names.insert(std::move(r));
    }
    if (!config.region.empty()) names.insert(config.region);
    for (const std::string& name : names) config.regions.push_back(RegionConfig{.name = name});
  } else {
    // Regions written in the file count even when their body had errors
    // (those are reported where they are).
    const std::vector<ast::Entry>& written = regions_entry->value.entries;
    for (const ProfileConfig& p : config.profiles) {
      for (const std::string& r : DestinationRegions(p, context.catalog)) {
        if (std::any_of(written.begin(), written.end(),
                        [&](const ast::Entry& e) { return e.key == r; })) {
          continue;
        }
        sink.Error(p.location, ChildPath("inference_profiles", p.name) + ": routes to region '" +
                                   r + "', which has no entry in regions (" +
                                   regions_entry->key_location.ToString() + ")");
      }
    }
  }
  if (config.routing.home_region.empty()) {
    config.routing.home_region = config.region;
  } else if (config.FindRegion(config.routing.home_region) == nullptr) {
    const ast::Entry* routing = FindSet(body.attributes, "routing");
    const ast::Entry* home = routing ? FindSet(routing->value.entries, "home_region") : nullptr;
    sink.Error(home ? home->value.location : At(body.file, 0, 0),
               "routing.home_region: '" + config.routing.home_region +
                   "' is not one of the configured regions");
  }
}

}  // namespace bp::config
