#include "bench/endpoint_stack.h"

#include <optional>
#include <utility>
#include <vector>

#include "api/control/control_routes.h"
#include "auth/sigv4/signer.h"
#include "config/load.h"
#include "core/uri.h"
#include "server/principals.h"

namespace bp::bench {

namespace {

// The built-in config (never ./bedrock-profiles.hcl: the numbers must not
// depend on the directory the bench runs in), without environment lookups.
Result<config::Config> LoadBuiltinConfig(const catalog::Catalog& catalog) {
  config::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> {
    return std::nullopt;
  };
  return config::ToResult(config::LoadText(
      config::BuiltinConfigText(), std::string(config::kBuiltinConfigName), catalog, no_env));
}

// Every region answers at once and never fails: the benchmarks measure the
// endpoint, not the simulated model's pacing.
void MakeRegionsInstant(config::Config& cfg) {
  for (config::RegionConfig& region : cfg.regions) {
    region.simulated.time_to_first_token_ms = 0;
    region.simulated.tokens_per_second = 0;
    region.faults = config::FaultConfig{};
  }
}

}  // namespace

EndpointStack::~EndpointStack() = default;

Result<std::unique_ptr<EndpointStack>> EndpointStack::Create(const Options& options) {
  std::unique_ptr<EndpointStack> stack(new EndpointStack());
  BP_RETURN_IF_ERROR(stack->Wire(options));
  return stack;
}

Status EndpointStack::Wire(const Options& options) {
  BP_ASSIGN_OR_RETURN(catalog_, catalog::Catalog::Builtin());
  BP_ASSIGN_OR_RETURN(config_, LoadBuiltinConfig(catalog_));
  MakeRegionsInstant(config_);
  const config::PrincipalConfig* principal = config_.FindPrincipal(options.principal);
  const config::ProfileConfig* profile = config_.FindProfile(options.profile);
  if (principal == nullptr || profile == nullptr) {
    return ValidationError("the built-in config has no principal '" + options.principal +
                           "' or no profile '" + options.profile + "'");
  }

  BP_ASSIGN_OR_RETURN(store_, storage::CachingProfileStore::Create(memory_));
  control_ = std::make_unique<api::control::ControlService>(
      api::control::ControlService::Options{.account_id = config_.account_id,
                                            .region = config_.region,
                                            .default_tags = config_.default_tags},
      *store_, catalog_, clock_, random_);
  BP_RETURN_IF_ERROR(control_->Reconcile(config_).status());
  BP_ASSIGN_OR_RETURN(api::control::ConfiguredProfile described,
                      control_->DescribeConfigured(*profile));

  authenticator_ = std::make_unique<auth::sigv4::SigV4Authenticator>(
      server::CredentialsOf(config_), clock_,
      auth::sigv4::SigV4AuthenticatorOptions{.region = config_.region});
  BP_ASSIGN_OR_RETURN(authorizer_,
                      auth::iam::IamAuthorizer::Create(server::PoliciesOf(config_),
                                                       {.requested_region = config_.region}));
  handler_ = std::make_unique<api::ApiHandler>(*authenticator_, clock_);
  BP_RETURN_IF_ERROR(api::control::RegisterControlRoutes(*handler_, *control_, *authorizer_));
  gate_ = std::make_unique<api::runtime::InvokeGate>(
      api::runtime::InvokeGate::Options{.account_id = config_.account_id, .region = config_.region},
      *store_, *authorizer_);
  BP_ASSIGN_OR_RETURN(runtime_, server::BuildRuntimeParts(config_, clock_));
  service_ = std::make_unique<api::runtime::RuntimeService>(
      api::runtime::RuntimeService::Options{},
      api::runtime::RuntimeService::Dependencies{.gate = *gate_,
                                                 .catalog = catalog_,
                                                 .router = *runtime_.router,
                                                 .backends = runtime_.backends,
                                                 .clock = clock_,
                                                 .random = random_});
  BP_RETURN_IF_ERROR(service_->RegisterRoutes(*handler_));

  principal_ = {
      .name = principal->name, .arn = principal->arn, .access_key_id = principal->access_key_id};
  credentials_ = {.access_key_id = principal->access_key_id,
                  .secret_access_key = principal->secret_access_key,
                  .session_token = principal->session_token};
  profile_arn_ = described.arn;
  return Status::Ok();
}

Result<http::Request> EndpointStack::SignedRequest(RuntimeCall which, std::string_view host,
                                                   bool with_content_length) const {
  http::Request request;
  request.method = "POST";
  request.target = "/model/" + UriEncode(profile_arn_) +
                   (which == RuntimeCall::kConverse ? "/converse" : "/converse-stream");
  request.body = std::string(kConverseBody);
  request.headers = {{"host", std::string(host)}, {"content-type", "application/json"}};
  if (with_content_length) {
    request.headers.push_back({"content-length", std::to_string(request.body.size())});
  }
  request.remote_address = "127.0.0.1";
  request.remote_port = 40000;
  request.request_id = "00000000-0000-4000-8000-000000000000";

  BP_ASSIGN_OR_RETURN(auth::sigv4::SigningResult signed_headers,
                      auth::sigv4::SignWithHeaders(credentials_,
                                                   {.method = request.method,
                                                    .path = request.path(),
                                                    .query = request.query(),
                                                    .headers = request.headers,
                                                    .body = request.body,
                                                    .payload_hash = std::nullopt},
                                                   {.region = config_.region,
                                                    .service = "bedrock",
                                                    .time = clock_.Now(),
                                                    .add_content_sha256_header = true}));
  for (http::Header& h : signed_headers.headers_to_add) request.headers.push_back(std::move(h));
  return request;
}

}  // namespace bp::bench
