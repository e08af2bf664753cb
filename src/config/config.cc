#include "config/config.h"

namespace bp::config {

std::string SourceLocation::ToString() const {
  std::string out = file.empty() ? "<input>" : file;
  if (line == 0) return out;
  out += ":" + std::to_string(line);
  if (column != 0) out += ":" + std::to_string(column);
  return out;
}

const ProfileConfig* Config::FindProfile(std::string_view name) const {
  for (const ProfileConfig& p : profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const PrincipalConfig* Config::FindPrincipal(std::string_view name) const {
  for (const PrincipalConfig& p : principals) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const RegionConfig* Config::FindRegion(std::string_view name) const {
  for (const RegionConfig& r : regions) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const ModelPriceConfig* PricesConfig::Find(std::string_view model_id) const {
  for (const ModelPriceConfig& m : models) {
    if (m.model_id == model_id) return &m;
  }
  return nullptr;
}

}  // namespace bp::config
