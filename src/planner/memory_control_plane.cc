#include "planner/memory_control_plane.h"

#include <algorithm>
#include <utility>

#include "core/arn.h"

namespace bp::planner {

namespace {

constexpr size_t kMaxTags = 50;

std::string RequestDigest(const CreateRequest& r) {
  std::string d = r.name + '\n' + r.description.value_or("\x01") + '\n' + r.copy_from + '\n';
  for (const auto& [key, value] : r.tags) d += key + '=' + value + '\n';
  return d;
}

Status TooManyTags(const std::string& arn, size_t count) {
  return Status(ErrorCode::kTooManyTags, "The resource " + arn + " would carry " +
                                             std::to_string(count) + " tags; at most " +
                                             std::to_string(kMaxTags) + " are allowed");
}

}  // namespace

MemoryControlPlane::MemoryControlPlane(const catalog::Catalog& catalog,
                                       MemoryControlPlaneOptions options)
    : catalog_(catalog), options_(std::move(options)) {}

std::optional<MemoryControlPlane::Fault> MemoryControlPlane::Count(std::string entry) {
  ++calls_;
  log_.push_back(std::move(entry));
  auto it = faults_.find(calls_);
  if (it == faults_.end()) return std::nullopt;
  Fault fault = it->second;
  faults_.erase(it);
  return fault;
}

Result<std::vector<LiveProfile>> MemoryControlPlane::ListApplicationProfiles() {
  MutexLock lock(mu_);
  if (std::optional<Fault> fault = Count("List")) return fault->status;
  std::vector<LiveProfile> out;
  for (const auto& [name, profile] : profiles_) out.push_back(profile);
  return out;
}

Result<std::string> MemoryControlPlane::Create(const CreateRequest& request) {
  MutexLock lock(mu_);
  std::optional<Fault> fault =
      Count("Create " + request.name + " token=" + request.client_request_token);
  if (fault && !fault->after_effect) return fault->status;
  Result<std::string> result = CreateLocked(request);
  if (fault) return fault->status;
  return result;
}

Status MemoryControlPlane::Delete(const std::string& arn) {
  MutexLock lock(mu_);
  std::optional<Fault> fault = Count("Delete " + arn);
  if (fault && !fault->after_effect) return fault->status;
  Status status = DeleteLocked(arn);
  return fault ? fault->status : status;
}

Status MemoryControlPlane::Tag(const std::string& arn, const Tags& tags) {
  MutexLock lock(mu_);
  std::optional<Fault> fault = Count("Tag " + arn);
  if (fault && !fault->after_effect) return fault->status;
  Status status = TagLocked(arn, tags);
  return fault ? fault->status : status;
}

Status MemoryControlPlane::Untag(const std::string& arn, const std::vector<std::string>& keys) {
  MutexLock lock(mu_);
  std::optional<Fault> fault = Count("Untag " + arn);
  if (fault && !fault->after_effect) return fault->status;
  Status status = UntagLocked(arn, keys);
  return fault ? fault->status : status;
}

std::string MemoryControlPlane::Describe() const { return options_.endpoint; }

Result<std::vector<std::string>> MemoryControlPlane::ResolveModels(
    const std::string& copy_from) const {
  BP_ASSIGN_OR_RETURN(Arn arn, Arn::Parse(copy_from));
  std::string id(arn.ResourceId());
  std::vector<std::string> models;
  switch (ClassifyBedrockArn(arn)) {
    case BedrockResourceKind::kSystemProfile: {
      const catalog::SystemProfile* system = catalog_.FindSystemProfile(id);
      if (system == nullptr) return NotFoundError("no system-defined inference profile " + id);
      for (const std::string& r : system->regions) {
        models.push_back(FoundationModelArn(r, system->model_id));
      }
      for (const std::string& r : options_.extra_regions) {
        models.push_back(FoundationModelArn(r, system->model_id));
      }
      return models;
    }
    case BedrockResourceKind::kFoundationModel:
      if (catalog_.FindModel(id) == nullptr) return NotFoundError("no foundation model " + id);
      return std::vector<std::string>{FoundationModelArn(arn.region, id)};
    default:
      return ValidationError("modelSource.copyFrom '" + copy_from + "' is not a model ARN");
  }
}

Result<std::string> MemoryControlPlane::CreateLocked(const CreateRequest& request) {
  const std::string digest = RequestDigest(request);
  if (!request.client_request_token.empty()) {
    auto it = tokens_.find(request.client_request_token);
    if (it != tokens_.end()) {
      const bool alive = FindByArn(it->second.arn) != nullptr;
      if (it->second.request_digest == digest && alive) return it->second.arn;
      return ConflictError("The clientRequestToken " + request.client_request_token +
                           " was used for another request or a deleted profile");
    }
  }
  if (profiles_.contains(request.name)) {
    return ConflictError("An inference profile named '" + request.name + "' already exists");
  }
  BP_ASSIGN_OR_RETURN(std::vector<std::string> models, ResolveModels(request.copy_from));
  LiveProfile p{.name = request.name, .id = NextId()};
  p.arn = ApplicationProfileArn(options_.region, options_.account_id, p.id);
  if (request.tags.size() > kMaxTags) return TooManyTags(p.arn, request.tags.size());
  p.description = request.description;
  p.model_arns = std::move(models);
  p.tags = request.tags;
  if (!request.client_request_token.empty()) {
    tokens_.insert_or_assign(request.client_request_token, TokenRecord{digest, p.arn});
  }
  std::string arn = p.arn;
  profiles_.insert_or_assign(p.name, std::move(p));
  ++created_;
  return arn;
}

Status MemoryControlPlane::DeleteLocked(const std::string& arn) {
  LiveProfile* p = FindByArn(arn);
  if (p == nullptr) return NotFoundError("No inference profile " + arn);
  profiles_.erase(p->name);
  return Status::Ok();
}

Status MemoryControlPlane::TagLocked(const std::string& arn, const Tags& tags) {
  LiveProfile* p = FindByArn(arn);
  if (p == nullptr) return NotFoundError("No inference profile " + arn);
  Tags merged = MergeTags(p->tags, tags);
  if (merged.size() > kMaxTags) return TooManyTags(arn, merged.size());
  p->tags = std::move(merged);
  return Status::Ok();
}

Status MemoryControlPlane::UntagLocked(const std::string& arn,
                                       const std::vector<std::string>& keys) {
  LiveProfile* p = FindByArn(arn);
  if (p == nullptr) return NotFoundError("No inference profile " + arn);
  for (const std::string& key : keys) p->tags.erase(key);
  return Status::Ok();
}

LiveProfile* MemoryControlPlane::FindByArn(const std::string& arn) {
  for (auto& [name, profile] : profiles_) {
    if (profile.arn == arn) return &profile;
  }
  return nullptr;
}

std::string MemoryControlPlane::NextId() {
  std::string digits = std::to_string(next_id_++);
  return "mem" + std::string(digits.size() < 9 ? 9 - digits.size() : 0, '0') + digits;
}

std::string MemoryControlPlane::Insert(LiveProfile profile) {
  MutexLock lock(mu_);
  if (profile.id.empty()) profile.id = NextId();
  if (profile.arn.empty()) {
    profile.arn = ApplicationProfileArn(options_.region, options_.account_id, profile.id);
  }
  std::string arn = profile.arn;
  std::string name = profile.name;
  profiles_.insert_or_assign(std::move(name), std::move(profile));
  return arn;
}

std::vector<LiveProfile> MemoryControlPlane::Profiles() const {
  MutexLock lock(mu_);
  std::vector<LiveProfile> out;
  for (const auto& [name, profile] : profiles_) out.push_back(profile);
  return out;
}

void MemoryControlPlane::FailCall(size_t n, Status status, bool after_effect) {
  MutexLock lock(mu_);
  faults_.insert_or_assign(calls_ + n, Fault{std::move(status), after_effect});
}

size_t MemoryControlPlane::calls() const {
  MutexLock lock(mu_);
  return calls_;
}

size_t MemoryControlPlane::profiles_created() const {
  MutexLock lock(mu_);
  return created_;
}

std::vector<std::string> MemoryControlPlane::log() const {
  MutexLock lock(mu_);
  return log_;
}

}  // namespace bp::planner
