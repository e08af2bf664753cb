#include "api/control/control_service.h"

#include <algorithm>
#include <utility>

#include "api/control/control_internal.h"
#include "api/control/validation.h"
#include "core/arn.h"

namespace bp::api::control {

namespace {

constexpr int kIdAttempts = 8;

Status ValidateCreate(const CreateInput& in, Tags& own_tags) {
  Violations v;
  v.CheckLength(in.name, in.name, "inferenceProfileName", 1, 64);
  v.CheckPattern(MatchesName(in.name), in.name, "inferenceProfileName", kNamePattern);
  if (in.description) {
    // The model marks description sensitive: never echo it.
    const std::string& d = *in.description;
    v.CheckLength(d, Violations::kSensitive, "description", 1, 200);
    v.CheckPattern(MatchesDescription(d), Violations::kSensitive, "description",
                   kDescriptionPattern);
  }
  if (in.client_token) {
    const std::string& t = *in.client_token;
    v.CheckLength(t, t, "clientRequestToken", 1, 256);
    v.CheckPattern(MatchesToken(t), t, "clientRequestToken", kTokenPattern);
  }
  v.CheckLength(in.copy_from, in.copy_from, "modelSource.copyFrom", 1, 2048);
  v.CheckPattern(MatchesCopyFrom(in.copy_from), in.copy_from, "modelSource.copyFrom",
                 kCopyFromPattern);
  own_tags = CheckTags(in.tags, "tags", v);
  return v.ToStatus();
}

Status SourceNotFound(std::string_view copy_from, std::string_view why) {
  return NotFoundError("The model source '" + std::string(copy_from) +
                       "' was not found: " + std::string(why));
}

}  // namespace

std::string_view ProfileTypeName(ProfileType type) {
  return type == ProfileType::kSystemDefined ? "SYSTEM_DEFINED" : "APPLICATION";
}

ControlService::ControlService(Options options, storage::ProfileStore& store,
                               const catalog::Catalog& catalog, Clock& clock, Random& random)
    : options_(std::move(options)),
      store_(store),
      catalog_(catalog),
      clock_(clock),
      random_(random) {}

int64_t ControlService::NowMs() const { return ToUnixMillis(clock_.Now()); }

Result<ControlService::ResolvedSource> ControlService::ResolveSource(
    std::string_view copy_from) const {
  BP_ASSIGN_OR_RETURN(Arn arn, Arn::Parse(copy_from));
  if (arn.partition != "aws") return SourceNotFound(copy_from, "only the aws partition is served");
  std::string id(arn.ResourceId());
  ResolvedSource source;
  if (ClassifyBedrockArn(arn) == BedrockResourceKind::kSystemProfile) {
    if (arn.account != options_.account_id || arn.region != options_.region) {
      return SourceNotFound(copy_from, "system-defined inference profile ARNs must name region " +
                                           options_.region + " and account " + options_.account_id);
    }
    const catalog::SystemProfile* profile = catalog_.FindSystemProfile(id);
    if (profile == nullptr) {
      return SourceNotFound(copy_from, "no system-defined inference profile has id " + id);
    }
    for (const std::string& region : profile->regions) {
      source.model_arns.push_back(FoundationModelArn(region, profile->model_id));
    }
    return source;
  }
  // The pattern admits only the two kinds; this is a foundation model.
  if (!arn.account.empty()) {
    return ValidationError("modelSource.copyFrom '" + std::string(copy_from) +
                           "' is not a valid foundation-model ARN: its account must be empty "
                           "(arn:aws:bedrock:<region>::foundation-model/<model id>)");
  }
  const catalog::FoundationModel* model = catalog_.FindModel(id);
  if (model == nullptr) return SourceNotFound(copy_from, "no foundation model has id " + id);
  if (std::find(model->regions.begin(), model->regions.end(), arn.region) == model->regions.end()) {
    return SourceNotFound(copy_from, id + " is not served in region '" + arn.region + "'");
  }
  source.model_arns.push_back(FoundationModelArn(arn.region, id));
  return source;
}

Result<ControlService::PreparedCreate> ControlService::Prepare(
    const CreateInput& input, const Tags& default_tags, const std::optional<std::string>& pinned_id,
    std::string* error_resource) const {
  Tags own_tags;
  BP_RETURN_IF_ERROR(ValidateCreate(input, own_tags));
  if (pinned_id && (pinned_id->size() > 64 || !MatchesProfileId(*pinned_id))) {
    return ValidationError("The pinned id '" + *pinned_id + "' of inference profile '" +
                           input.name + "' must be 1-64 characters matching " +
                           std::string(kProfileIdPattern));
  }
  BP_ASSIGN_OR_RETURN(ResolvedSource source, ResolveSource(input.copy_from));
  PreparedCreate prepared;
  storage::ProfileRecord& record = prepared.record;
  record.id = pinned_id ? *pinned_id : NewProfileId(random_);
  record.name = input.name;
  record.description = input.description;
  record.arn = ApplicationProfileArn(options_.region, options_.account_id, record.id);
  record.source_arn = input.copy_from;
  record.model_arns = std::move(source.model_arns);
  record.tags = MergeTags(default_tags, own_tags);
  if (record.tags.size() > options_.max_tags) {
    if (error_resource != nullptr) *error_resource = record.arn;
    return Status(ErrorCode::kTooManyTags,
                  "The inference profile '" + input.name + "' would carry " +
                      std::to_string(record.tags.size()) +
                      " tags (its own merged with the default tags); at most " +
                      std::to_string(options_.max_tags) + " are allowed");
  }
  record.created_at_ms = record.updated_at_ms = NowMs();
  prepared.digest = RequestDigest(input.name, input.description, input.copy_from, own_tags);
  return prepared;
}

Result<CreateOutcome> ControlService::Create(const CreateInput& input,
                                             std::string* error_resource) {
  BP_ASSIGN_OR_RETURN(PreparedCreate prepared,
                      Prepare(input, options_.default_tags, std::nullopt, error_resource));
  return Commit(std::move(prepared.record), input.client_token.value_or(""),
                std::move(prepared.digest), /*pinned_id=*/false);
}

Result<CreateOutcome> ControlService::Commit(storage::ProfileRecord record,
                                             std::string client_token, std::string digest,
                                             bool pinned_id) {
  storage::CreateProfileRequest request{.profile = std::move(record),
                                        .client_token = std::move(client_token),
                                        .request_digest = std::move(digest)};
  for (int attempt = 1;; ++attempt) {
    Result<storage::CreateProfileOutcome> created = store_.Create(request);
    if (created.ok()) {
      return CreateOutcome{.profile = ToProfile(created->profile), .replayed = created->replayed};
    }
    if (pinned_id || created.status().code() != ErrorCode::kConflict || attempt >= kIdAttempts) {
      return created.status();
    }
    // A conflict on a fresh random id (36^12 of them) is a collision: draw
    // another. Any other conflict (name, token) is the caller's.
    if (!store_.Get(request.profile.id).ok()) return created.status();
    request.profile.id = NewProfileId(random_);
    request.profile.arn =
        ApplicationProfileArn(options_.region, options_.account_id, request.profile.id);
  }
}

Result<InferenceProfile> ControlService::Get(std::string_view identifier) {
  BP_ASSIGN_OR_RETURN(ProfileRef ref, ResolveProfile(identifier, options_, catalog_));
  if (ref.system != nullptr) return FromSystem(*ref.system);
  return GetApplication(ref.id, identifier);
}

Result<InferenceProfile> ControlService::GetApplication(std::string_view id,
                                                        std::string_view identifier) {
  Result<storage::ProfileRecord> record = store_.Get(id);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kResourceNotFound) {
      return ProfileNotFound(identifier);
    }
    return record.status();
  }
  return ToProfile(*record);
}

Status ControlService::Delete(std::string_view identifier) {
  BP_ASSIGN_OR_RETURN(ProfileRef ref, ResolveProfile(identifier, options_, catalog_));
  if (ref.system != nullptr) {
    return ValidationError("The inference profile '" + std::string(identifier) +
                           "' is system-defined and cannot be deleted; only application "
                           "inference profiles can be deleted");
  }
  Status deleted = store_.Delete(ref.id);
  if (deleted.code() == ErrorCode::kResourceNotFound && !deleted.ok()) {
    return ProfileNotFound(identifier);
  }
  return deleted;
}

InferenceProfile ControlService::FromSystem(const catalog::SystemProfile& profile) const {
  InferenceProfile out;
  out.name = profile.name;
  out.description = profile.description;
  out.created_at = profile.created_at;
  out.updated_at = profile.created_at;
  out.arn = SystemProfileArn(options_.region, options_.account_id, profile.id);
  for (const std::string& region : profile.regions) {
    out.model_arns.push_back(FoundationModelArn(region, profile.model_id));
  }
  out.id = profile.id;
  out.type = ProfileType::kSystemDefined;
  return out;
}

std::vector<InferenceProfile> ControlService::SystemProfiles() const {
  std::vector<InferenceProfile> out;
  for (const catalog::SystemProfile& p : catalog_.system_profiles()) out.push_back(FromSystem(p));
  return out;
}

Result<ListPage> ControlService::List(const ListInput& input) {
  BP_ASSIGN_OR_RETURN(ListQuery query, ValidateListInput(input, options_.default_max_results));
  std::vector<InferenceProfile> all;
  if (query.type == ProfileType::kSystemDefined) {
    all = SystemProfiles();
  } else {
    BP_ASSIGN_OR_RETURN(std::vector<storage::ProfileRecord> records, store_.List());
    for (const storage::ProfileRecord& r : records) all.push_back(ToProfile(r));
  }
  return Paginate(std::move(all), query);
}

}  // namespace bp::api::control
