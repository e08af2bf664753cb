#include "planner/json_pretty.h"

namespace bp::planner {

namespace {

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

void Write(const json::Value& value, int depth, std::string& out) {
  if (value.is_object()) {
    const json::Object& obj = value.get_object();
    if (obj.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (const auto& member : obj) {
      Indent(out, depth + 1);
      out += json::Serialize(json::Value(member.key()));
      out += ": ";
      Write(member.value(), depth + 1, out);
      out += ++i < obj.size() ? ",\n" : "\n";
    }
    Indent(out, depth);
    out += "}";
  } else if (value.is_array()) {
    const json::Array& array = value.get_array();
    if (array.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < array.size(); ++i) {
      Indent(out, depth + 1);
      Write(array[i], depth + 1, out);
      out += i + 1 < array.size() ? ",\n" : "\n";
    }
    Indent(out, depth);
    out += "]";
  } else {
    out += json::Serialize(value);
  }
}

}  // namespace

std::string PrettyJson(const json::Value& value) {
  std::string out;
  Write(value, 0, out);
  return out;
}

}  // namespace bp::planner
