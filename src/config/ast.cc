#include "config/ast.h"

namespace bp::config::ast {

namespace {

const Entry* FindIn(const std::vector<Entry>& entries, std::string_view key) {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

bool SameEntries(const std::vector<Entry>& a, const std::vector<Entry>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || !SameValue(a[i].value, b[i].value)) return false;
  }
  return true;
}

}  // namespace

const Value* Value::Find(std::string_view key) const {
  const Entry* e = FindEntry(key);
  return e == nullptr ? nullptr : &e->value;
}

const Entry* Value::FindEntry(std::string_view key) const {
  return kind == Kind::kObject ? FindIn(entries, key) : nullptr;
}

const Entry* Body::FindEntry(std::string_view key) const { return FindIn(attributes, key); }

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kNumber:
      return "a number";
    case Kind::kBool:
      return "a bool";
    case Kind::kNull:
      return "null";
    case Kind::kList:
      return "a list";
    case Kind::kObject:
      return "a map";
  }
  return "a value";
}

bool SameValue(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::kString:
    case Kind::kNumber:
      return a.text == b.text;
    case Kind::kBool:
      return a.boolean == b.boolean;
    case Kind::kNull:
      return true;
    case Kind::kList:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i) {
        if (!SameValue(a.items[i], b.items[i])) return false;
      }
      return true;
    case Kind::kObject:
      return SameEntries(a.entries, b.entries);
  }
  return false;
}

bool SameBody(const Body& a, const Body& b) { return SameEntries(a.attributes, b.attributes); }

}  // namespace bp::config::ast
