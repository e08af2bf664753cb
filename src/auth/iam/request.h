#pragma once
// The request side of an IAM evaluation: the action, the one resource ARN and
// the request context (auth.md §3 "Context keys the endpoint supplies").
// Public header of bp_auth_iam.
//
// Context key names are case-insensitive (aws:SourceIp == aws:sourceip); a
// key holds either one value or a list of values (multi-valued keys such as
// aws:TagKeys; an empty list is a present key with no values). Values are
// case-sensitive text; the condition operator decides how to read them.
// Thread-safety: plain values; const methods may be called concurrently.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bp::auth::iam {

struct ContextValue {
  std::vector<std::string> values;  // exactly one element unless `multi`
  bool multi = false;               // set with Context::SetList
};

class Context final {
 public:
  // Sets a single-valued key, replacing any earlier value of that key.
  void Set(std::string_view key, std::string value);
  // Sets a multi-valued key (possibly empty), replacing any earlier value.
  void SetList(std::string_view key, std::vector<std::string> values);
  // Removes the key; false when it was absent.
  bool Erase(std::string_view key);

  // The value of `key` in any letter case, or nullptr when absent. The
  // pointer stays valid until the key is set or erased again.
  const ContextValue* Find(std::string_view key) const;
  // As Find, for a key already in lower case (what the parsed policy holds);
  // allocation-free. REQUIRES: `lower_key` has no upper-case ASCII letter.
  const ContextValue* FindLowered(std::string_view lower_key) const;

  // Keys not set here are looked up in `fallback` (which must outlive this
  // context), so a per-request context can sit on a per-principal one
  // without copying it. Set and Erase touch only this context.
  void SetFallback(const Context* fallback) { fallback_ = fallback; }

  // Keys set in this context (not counting the fallback's).
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, ContextValue, std::less<>> entries_;  // keys lower-cased
  const Context* fallback_ = nullptr;
};

// One authorization question: may the caller perform `action`
// ("bedrock:InvokeModel") on `resource` (a concrete ARN, or "*" for actions
// without resource-level permissions) given `context`?
struct Request {
  std::string action;
  std::string resource;
  Context context;
};

// ASCII lower-casing, used for action names and condition keys.
std::string ToLowerAscii(std::string_view text);

}  // namespace bp::auth::iam
