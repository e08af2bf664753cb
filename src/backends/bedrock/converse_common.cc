#include "backends/bedrock/converse_common.h"

#include <limits>

namespace bp::backends::bedrock {
namespace {

constexpr int64_t kMaxCount = int64_t{1} << 50;  // sums of counts stay far from overflow

// A count at obj[key]: a non-negative integer, or null / absent.
Status ReadCount(const json::Object& obj, std::string_view key, const std::string& path,
                 std::optional<int64_t>& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return Status::Ok();
  const std::optional<int64_t> n = json::AsInt64(&it->value());
  const std::string member = path + "." + std::string(key);
  if (!n) return ValidationError(Expected(member, "a non-negative integer", it->value()));
  if (*n < 0 || *n > kMaxCount) {
    return ValidationError(member + ": expected a non-negative integer, got " + std::to_string(*n));
  }
  out = *n;
  return Status::Ok();
}

}  // namespace

Status Malformed(ErrorCode code, std::string_view region, std::string_view what,
                 std::string_view detail) {
  return Status(code, "Amazon Bedrock in " + std::string(region) + " answered a malformed " +
                          std::string(what) + ": " + std::string(detail));
}

std::string Expected(std::string_view path, std::string_view what, const json::Value& got) {
  return std::string(path) + ": expected " + std::string(what) + ", got " +
         std::string(json::KindName(got));
}

Status ReadUsage(const json::Value* usage, std::string_view path, UpstreamUsage& out) {
  if (usage == nullptr || usage->is_null()) return Status::Ok();
  const std::string p(path);
  if (!usage->is_object()) return ValidationError(Expected(p, "an object", *usage));
  const json::Object& obj = usage->get_object();
  std::optional<int64_t> read, write;
  BP_RETURN_IF_ERROR(ReadCount(obj, "inputTokens", p, out.input));
  BP_RETURN_IF_ERROR(ReadCount(obj, "outputTokens", p, out.output));
  BP_RETURN_IF_ERROR(ReadCount(obj, "cacheReadInputTokens", p, read));
  BP_RETURN_IF_ERROR(ReadCount(obj, "cacheWriteInputTokens", p, write));
  int64_t details_1h = 0;
  int64_t details_all = 0;
  bool details = false;
  if (const auto it = obj.find("cacheDetails"); it != obj.end() && !it->value().is_null()) {
    const std::string dp = p + ".cacheDetails";
    if (!it->value().is_array()) return ValidationError(Expected(dp, "an array", it->value()));
    const json::Array& list = it->value().get_array();
    if (list.size() > 64) return ValidationError(dp + ": more than 64 entries");
    details = true;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string ip = dp + "[" + std::to_string(i) + "]";
      if (!list[i].is_object()) return ValidationError(Expected(ip, "an object", list[i]));
      const json::Object& entry = list[i].get_object();
      std::optional<int64_t> tokens;
      BP_RETURN_IF_ERROR(ReadCount(entry, "inputTokens", ip, tokens));
      const auto ttl = entry.find("ttl");
      if (ttl != entry.end() && !ttl->value().is_string() && !ttl->value().is_null()) {
        return ValidationError(Expected(ip + ".ttl", "a string", ttl->value()));
      }
      // Unknown TTLs (none today) count as the default, 5m.
      const bool hour =
          ttl != entry.end() && ttl->value().is_string() && ttl->value().get_string() == "1h";
      if (hour) details_1h += tokens.value_or(0);
      details_all += tokens.value_or(0);
    }
  }
  out.cache_read = read.value_or(0);
  out.cache_write = write.value_or(details ? details_all : 0);
  if (out.cache_write < details_1h) {
    return ValidationError(p + ": cacheDetails hold more 1h tokens (" + std::to_string(details_1h) +
                           ") than cacheWriteInputTokens (" + std::to_string(out.cache_write) +
                           ")");
  }
  out.cache_write_1h = details_1h;
  return Status::Ok();
}

Usage ResolveUsage(const UpstreamUsage& upstream, int64_t input_estimate, int64_t output_estimate) {
  Usage usage;
  usage.input_tokens = upstream.input.value_or(input_estimate);
  usage.output_tokens = upstream.output.value_or(output_estimate);
  usage.estimated = !upstream.input || !upstream.output;
  usage.cache_read_input_tokens = upstream.cache_read;
  usage.cache_write_input_tokens = upstream.cache_write;
  usage.cache_write_1h_tokens = upstream.cache_write_1h;
  usage.cache_write_5m_tokens = upstream.cache_write - upstream.cache_write_1h;
  return usage;
}

std::string StopSequence(const json::Value* fields, const std::vector<std::string>& requested) {
  for (const json::Value* v :
       {json::Find(fields, {"stop_sequence"}), json::Find(fields, {"delta", "stop_sequence"})}) {
    if (v != nullptr && v->is_string() && !v->get_string().empty()) {
      return std::string(v->get_string());
    }
  }
  if (requested.size() == 1) return requested.front();
  return {};
}

}  // namespace bp::backends::bedrock
