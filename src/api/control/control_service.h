#pragma once
// ControlService: the Bedrock control-plane operations on inference profiles,
// their tags and the foundation models, as plain logic over values (no HTTP,
// no JSON; control_routes.h is the wire layer). Semantics and the choices
// made where AWS is unclear: docs/control-plane.md. Public header of
// bp_api_control. (The service side; planner::ControlPlane is the planner's
// seam over any endpoint, implemented by client::HttpControlPlane.)
//
// Application profiles live in a storage::ProfileStore; system-defined
// profiles and foundation models come from the catalog. Every ARN this class
// answers uses Options::region and Options::account_id (system-defined
// profile ARNs name the caller's account, as AWS does).
//
// Errors (Status codes; messages use AWS's wording where it is known):
//   kValidation        a constraint of the service model is broken; the
//                      message lists each violation ("1 validation error
//                      detected: Value '...' at '<member>' failed to satisfy
//                      constraint: ...")
//   kResourceNotFound  unknown profile, model, copyFrom source or resource
//   kConflict          duplicate profile name; client token reused with other
//                      parameters (or for a deleted profile)
//   kTooManyTags       more than Options::max_tags tags after the change
//   kIo / kInternal    from the store
//   kServiceUnavailable from the store: its database cannot be reached
// A refused call writes nothing.
//
// Thread-safety: every method may be called concurrently, provided the store
// and the Random are thread-safe (their interfaces require it).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/tags.h"
#include "storage/profile_store.h"

namespace bp::api::control {

enum class ProfileType : uint8_t { kSystemDefined, kApplication };

// "SYSTEM_DEFINED" / "APPLICATION".
std::string_view ProfileTypeName(ProfileType type);

// An inference profile as GetInferenceProfile and ListInferenceProfiles
// describe it (bedrock-api.md §2.3). Status is always ACTIVE.
struct InferenceProfile {
  std::string name;
  std::optional<std::string> description;
  std::string created_at;  // RFC 3339
  std::string updated_at;  // RFC 3339
  std::string arn;
  std::vector<std::string> model_arns;  // foundation-model ARNs, one per region, in order
  std::string id;
  ProfileType type = ProfileType::kApplication;
};

// One tag as a request carries it; request order is kept so violations can
// name 'tags.<n>.member.key' as AWS does (1-based).
struct Tag {
  std::string key;
  std::string value;
};

struct CreateInput {
  std::string name;  // inferenceProfileName
  std::optional<std::string> description;
  std::optional<std::string> client_token;  // clientRequestToken
  std::string copy_from;                    // modelSource.copyFrom
  std::vector<Tag> tags;
};

struct CreateOutcome {
  InferenceProfile profile;
  bool replayed = false;  // an idempotent repeat of an earlier create
};

struct ListInput {
  std::optional<std::string> type;     // "SYSTEM_DEFINED" | "APPLICATION"; absent = SYSTEM_DEFINED
  std::optional<int64_t> max_results;  // 1..1000; absent = Options::default_max_results
  std::optional<std::string> next_token;  // as returned by the previous page
};

struct ListPage {
  std::vector<InferenceProfile> profiles;
  std::optional<std::string> next_token;  // absent on the last page
};

struct ModelFilter {
  std::optional<std::string> by_provider;  // case-insensitive match
  std::optional<std::string>
      by_customization_type;  // FINE_TUNING | CONTINUED_PRE_TRAINING | DISTILLATION
  std::optional<std::string> by_output_modality;  // TEXT | IMAGE | EMBEDDING
  std::optional<std::string> by_inference_type;   // ON_DEMAND | PROVISIONED
};

struct FoundationModelInfo {
  std::string arn;  // in Options::region
  catalog::FoundationModel model;
};

// What Reconcile() or Bootstrap() did, by profile name, for the serve banner.
struct ReconcileSummary {
  bool skipped = false;  // Bootstrap() into a store that held profiles: nothing done
  size_t stored = 0;     // when skipped: the application profiles the store held
  std::vector<std::string> created;
  std::vector<std::string> updated;  // tags set to the configured merged set
  std::vector<std::string> unchanged;
  std::vector<std::string> warnings;  // e.g. a stored profile whose source differs from config

  // "2 created, 0 updated, 0 unchanged" (+ ", 1 warning(s)"); when skipped
  // "bootstrap skipped: the store holds 3 profiles, left as they are;
  // --reconcile resets them to the config".
  std::string ToString() const;
};

// A configured profile as the store holds it (the serve banner).
struct ConfiguredProfile {
  std::string id;
  std::string arn;
  std::string model_id;                 // the foundation model it routes to
  std::vector<std::string> model_arns;  // one per destination region, in order
};

class ControlService final {
 public:
  struct Options {
    std::string account_id;             // 12 digits: the caller's account in every ARN
    std::string region;                 // home region of application profiles
    Tags default_tags;                  // ADR-0006 Tier 1 set merged under request tags on Create
    size_t max_tags = 50;               // per resource, after merging (AWS limit)
    int64_t default_max_results = 100;  // ListInferenceProfiles page size without maxResults
  };

  // Every reference must outlive the ControlService.
  ControlService(Options options, storage::ProfileStore& store, const catalog::Catalog& catalog,
                 Clock& clock, Random& random);
  ControlService(const ControlService&) = delete;
  ControlService& operator=(const ControlService&) = delete;

  const Options& options() const { return options_; }

  // CreateInferenceProfile. Validates every member, resolves copyFrom (a
  // system-defined profile ARN of our region and account known to the
  // catalog, or a foundation-model ARN with an empty account in a region
  // that serves the model), merges Options::default_tags under the request's
  // tags and stores the profile under a fresh id. A repeat of an earlier
  // request with the same clientRequestToken and the same parameters returns
  // the original profile (replayed = true). On kTooManyTags, *error_resource
  // (when given) is set to the ARN the profile would have had.
  Result<CreateOutcome> Create(const CreateInput& input, std::string* error_resource = nullptr);

  // GetInferenceProfile: `identifier` is an id or ARN of either type.
  Result<InferenceProfile> Get(std::string_view identifier);

  // ListInferenceProfiles, ordered by id. The token is opaque to callers; a
  // token not issued for the same type is kValidation "Invalid nextToken".
  Result<ListPage> List(const ListInput& input);

  // DeleteInferenceProfile: application profiles only (a system-defined one
  // is kValidation).
  Status Delete(std::string_view identifier);

  // TagResource / UntagResource / ListTagsForResource on an application
  // profile ARN. System-defined profile and foundation-model ARNs are
  // kValidation (they cannot carry tags); other resource types kValidation;
  // an application profile of another region or account kResourceNotFound.
  Status TagResource(std::string_view resource_arn, const std::vector<Tag>& tags);
  Status UntagResource(std::string_view resource_arn, const std::vector<std::string>& tag_keys);
  Result<Tags> ListTagsForResource(std::string_view resource_arn);

  // ListFoundationModels / GetFoundationModel (`identifier`: model id or
  // foundation-model ARN in a region that serves it).
  Result<std::vector<FoundationModelInfo>> ListFoundationModels(const ModelFilter& filter);
  Result<FoundationModelInfo> GetFoundationModel(std::string_view identifier);

  // Authorization helpers (control_routes.cc asks the auth::Authorizer with
  // these before running an operation). They only name resources; they never
  // validate, so a denied caller learns nothing about what exists.
  //
  // The ARN an inference-profile identifier names: an identifier starting
  // with "arn:" as given; a bare id the catalog knows as a system-defined
  // profile -> its system-profile ARN in our region and account; any other
  // bare id -> the application-profile ARN in our region and account.
  std::string ProfileArnFor(std::string_view identifier) const;
  // The ARN a foundation-model identifier names: an ARN as given, a bare id
  // -> arn:aws:bedrock:<region>::foundation-model/<id>.
  std::string ModelArnFor(std::string_view identifier) const;
  // The resource of CreateInferenceProfile, whose id is drawn only after the
  // check: arn:aws:bedrock:<region>:<account>:application-inference-profile/*.
  std::string NewProfileArnPattern() const;
  // The stored (merged) tags of the application profile `arn` names, for
  // aws:ResourceTag/*. Empty when `arn` is not an application-profile ARN of
  // our partition, region and account, or no such profile exists. Other
  // store errors are returned (authorization then fails closed).
  Result<Tags> ResourceTagsFor(std::string_view arn) const;

  // Brings the store in line with `config` (`serve --reconcile`): every
  // configured profile exists (created with its pinned id when it has one)
  // and carries exactly MergeTags(config.default_tags, profile.tags) plus the
  // management tag (kManagedByTagKey = kManagedByTagValue), which is what
  // `plan` expects of a profile it manages. Profiles made through the API are
  // left alone; nothing is ever deleted. A configured profile whose name is
  // held by another id (or whose pinned id is held by another name) is
  // kConflict naming both, and then nothing is written.
  Result<ReconcileSummary> Reconcile(const config::Config& config);

  // `serve` without --reconcile: Reconcile() when the store holds no
  // application profile at all (a first start), otherwise nothing (skipped),
  // so a restart never overrules what `apply` did.
  Result<ReconcileSummary> Bootstrap(const config::Config& config);

  // The stored profile of a configured one (by its pinned id, else by name).
  // kResourceNotFound before Reconcile() created it.
  Result<ConfiguredProfile> DescribeConfigured(const config::ProfileConfig& profile) const;

 private:
  struct ResolvedSource {
    std::vector<std::string> model_arns;
  };
  // A validated create: the record to store and its idempotency digest.
  struct PreparedCreate {
    storage::ProfileRecord record;
    std::string digest;
  };

  // Validates `input`, resolves its source and builds the record with tags
  // MergeTags(default_tags, input tags) under `pinned_id` or a fresh id.
  Result<PreparedCreate> Prepare(const CreateInput& input, const Tags& default_tags,
                                 const std::optional<std::string>& pinned_id,
                                 std::string* error_resource) const;
  Result<ResolvedSource> ResolveSource(std::string_view copy_from) const;
  // Reconcile's first phase: every action decided and validated, or the
  // kConflict listing every problem (reconcile.cc).
  struct ReconcilePlan;
  Result<ReconcilePlan> PlanReconcile(const config::Config& config,
                                      std::vector<std::string>& warnings) const;
  // Writes `record` (drawing another id on a collision unless `pinned_id`).
  Result<CreateOutcome> Commit(storage::ProfileRecord record, std::string client_token,
                               std::string digest, bool pinned_id);
  // The id of the application profile `resource_arn` names (tag operations).
  Result<std::string> ResolveTaggable(std::string_view resource_arn) const;
  // `identifier` is what the caller named, for the not-found message.
  Result<InferenceProfile> GetApplication(std::string_view id, std::string_view identifier);
  InferenceProfile FromSystem(const catalog::SystemProfile& profile) const;
  std::vector<InferenceProfile> SystemProfiles() const;
  FoundationModelInfo ModelInfo(const catalog::FoundationModel& model) const;
  int64_t NowMs() const;

  const Options options_;
  storage::ProfileStore& store_;
  const catalog::Catalog& catalog_;
  Clock& clock_;
  Random& random_;
};

}  // namespace bp::api::control
