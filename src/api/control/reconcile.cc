// ControlService::Reconcile and Bootstrap: the configured profiles into the
// store at serve start. Two phases so a conflict anywhere writes nothing:
// first decide and validate every action, then apply them.
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "api/control/control_service.h"
#include "core/arn.h"

namespace bp::api::control {

namespace {

using RecordIndex = std::map<std::string, const storage::ProfileRecord*, std::less<>>;

const storage::ProfileRecord* Find(const RecordIndex& index, std::string_view key) {
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

std::string Where(const config::ProfileConfig& p) {
  if (p.location.file.empty()) return "profile '" + p.name + "'";
  return p.location.file + ":" + std::to_string(p.location.line) + ":" +
         std::to_string(p.location.column) + ": profile '" + p.name + "'";
}

// What a configured profile carries once reconciled: the config's merged
// tags plus the management tag, exactly what `plan` wants it to carry (so a
// plan right after shows nothing to do, and nothing as "adopted").
Tags ReconciledTags(const config::Config& config, const config::ProfileConfig& p) {
  Tags tags = MergeTags(config.default_tags, p.tags);
  tags.insert_or_assign(std::string(kManagedByTagKey), std::string(kManagedByTagValue));
  return tags;
}

}  // namespace

struct ControlService::ReconcilePlan {
  struct Create {
    PreparedCreate prepared;
    bool pinned = false;
  };
  struct Update {
    std::string name;
    storage::ProfileRecord existing;
    Tags desired;
  };
  std::vector<Create> creates;
  std::vector<Update> updates;  // existing profiles: tags set to `desired` if different
};

Result<ControlService::ReconcilePlan> ControlService::PlanReconcile(
    const config::Config& config, std::vector<std::string>& warnings) const {
  BP_ASSIGN_OR_RETURN(std::vector<storage::ProfileRecord> records, store_.List());
  RecordIndex by_id, by_name;
  for (const storage::ProfileRecord& r : records) {
    by_id.emplace(r.id, &r);
    by_name.emplace(r.name, &r);
  }
  ReconcilePlan plan;
  std::vector<std::string> problems;
  std::set<std::string, std::less<>> pinned_ids;
  for (const config::ProfileConfig& p : config.profiles) {
    if (p.id && !pinned_ids.insert(*p.id).second) {
      problems.push_back(Where(p) + " pins id " + *p.id + ", which another profile pins too");
      continue;
    }
    Tags desired = ReconciledTags(config, p);
    const storage::ProfileRecord* existing = p.id ? Find(by_id, *p.id) : Find(by_name, p.name);
    const storage::ProfileRecord* named = Find(by_name, p.name);
    if (existing != nullptr && existing->name != p.name) {
      problems.push_back(Where(p) + " pins id " + *p.id + ", but the store holds that id as '" +
                         existing->name + "'");
    } else if (existing == nullptr && named != nullptr) {
      problems.push_back(Where(p) + " pins id " + *p.id +
                         ", but the store holds a profile of that name with id " + named->id);
    } else if (existing == nullptr) {
      CreateInput input{.name = p.name, .description = p.description, .copy_from = p.model_arn};
      for (const auto& [key, value] : p.tags) input.tags.push_back({key, value});
      input.tags.push_back({std::string(kManagedByTagKey), std::string(kManagedByTagValue)});
      Result<PreparedCreate> prepared = Prepare(input, config.default_tags, p.id, nullptr);
      if (prepared.ok()) {
        plan.creates.push_back({std::move(prepared).value(), p.id.has_value()});
      } else {
        problems.push_back(Where(p) + ": " + prepared.status().message());
      }
    } else if (desired.size() > options_.max_tags) {
      problems.push_back(Where(p) + " would carry " + std::to_string(desired.size()) +
                         " tags; at most " + std::to_string(options_.max_tags) + " are allowed");
    } else {
      if (existing->source_arn != p.model_arn || existing->description != p.description) {
        warnings.push_back("profile '" + p.name + "' (" + existing->id +
                           ") differs from the config in its source or description; profiles "
                           "are immutable, so `plan`/`apply` replaces it with a new ARN");
      }
      plan.updates.push_back({p.name, *existing, std::move(desired)});
    }
  }
  if (problems.empty()) return plan;
  std::string message = "cannot reconcile the configured inference profiles (nothing was changed):";
  for (const std::string& problem : problems) message += "\n  " + problem;
  return ConflictError(std::move(message));
}

Result<ReconcileSummary> ControlService::Reconcile(const config::Config& config) {
  ReconcileSummary summary;
  BP_ASSIGN_OR_RETURN(ReconcilePlan plan, PlanReconcile(config, summary.warnings));
  for (ReconcilePlan::Create& c : plan.creates) {
    std::string name = c.prepared.record.name;
    BP_RETURN_IF_ERROR(
        Commit(std::move(c.prepared.record), "", std::move(c.prepared.digest), c.pinned).status());
    summary.created.push_back(std::move(name));
  }
  for (const ReconcilePlan::Update& u : plan.updates) {
    const std::vector<TagChange> changes = DiffTags(u.existing.tags, u.desired);
    if (changes.empty()) {
      summary.unchanged.push_back(u.name);
      continue;
    }
    BP_RETURN_IF_ERROR(store_
                           .UpdateTags(u.existing.id, TagUpserts(changes), TagRemovals(changes),
                                       options_.max_tags, NowMs())
                           .status());
    summary.updated.push_back(u.name);
  }
  return summary;
}

Result<ReconcileSummary> ControlService::Bootstrap(const config::Config& config) {
  BP_ASSIGN_OR_RETURN(std::vector<storage::ProfileRecord> records, store_.List());
  if (!records.empty()) {
    ReconcileSummary summary;
    summary.skipped = true;
    summary.stored = records.size();
    return summary;
  }
  return Reconcile(config);
}

std::string ReconcileSummary::ToString() const {
  if (skipped) {
    return "bootstrap skipped: the store holds " + std::to_string(stored) +
           (stored == 1 ? " profile" : " profiles") +
           ", left as they are; --reconcile resets them to the config";
  }
  std::string out = std::to_string(created.size()) + " created, " + std::to_string(updated.size()) +
                    " updated, " + std::to_string(unchanged.size()) + " unchanged";
  if (!warnings.empty()) out += ", " + std::to_string(warnings.size()) + " warning(s)";
  return out;
}

Result<ConfiguredProfile> ControlService::DescribeConfigured(
    const config::ProfileConfig& profile) const {
  std::optional<storage::ProfileRecord> found;
  if (profile.id) {
    Result<storage::ProfileRecord> record = store_.Get(*profile.id);
    if (record.ok()) {
      found = std::move(record).value();
    } else if (record.status().code() != ErrorCode::kResourceNotFound) {
      return record.status();
    }
  } else {
    BP_ASSIGN_OR_RETURN(std::vector<storage::ProfileRecord> records, store_.List());
    for (storage::ProfileRecord& r : records) {
      if (r.name == profile.name) found = std::move(r);
    }
  }
  if (!found || found->name != profile.name) {
    return NotFoundError("the configured inference profile '" + profile.name +
                         "' is not in the store");
  }
  ConfiguredProfile out{.id = found->id, .arn = found->arn, .model_arns = found->model_arns};
  if (!out.model_arns.empty()) {
    Result<Arn> model = Arn::Parse(out.model_arns.front());
    if (model.ok()) out.model_id = std::string(model->ResourceId());
  }
  return out;
}

}  // namespace bp::api::control
