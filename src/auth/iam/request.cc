#include "auth/iam/request.h"

#include <utility>

namespace bp::auth::iam {

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void Context::Set(std::string_view key, std::string value) {
  ContextValue& slot = entries_[ToLowerAscii(key)];
  slot.values.clear();
  slot.values.push_back(std::move(value));
  slot.multi = false;
}

void Context::SetList(std::string_view key, std::vector<std::string> values) {
  ContextValue& slot = entries_[ToLowerAscii(key)];
  slot.values = std::move(values);
  slot.multi = true;
}

bool Context::Erase(std::string_view key) {
  auto it = entries_.find(ToLowerAscii(key));
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const ContextValue* Context::Find(std::string_view key) const {
  return FindLowered(ToLowerAscii(key));
}

const ContextValue* Context::FindLowered(std::string_view lower_key) const {
  auto it = entries_.find(lower_key);
  if (it != entries_.end()) return &it->second;
  return fallback_ != nullptr ? fallback_->FindLowered(lower_key) : nullptr;
}

}  // namespace bp::auth::iam
