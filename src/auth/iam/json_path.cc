#include "auth/iam/json_path.h"

#include <cstdint>
#include <set>

#include "core/utf8.h"

namespace bp::auth::iam {

namespace {

constexpr int kMaxDepth = 128;

bool IsPlainKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Recursive descent over a document already known to be valid JSON, looking
// only at object keys. Every read is bounds-checked all the same.
class DuplicateScanner {
 public:
  explicit DuplicateScanner(std::string_view text) : t_(text) {}

  std::optional<std::string> Run() {
    SkipSpace();
    Value("$", 0);
    return found_;
  }

 private:
  bool At(char c) const { return i_ < t_.size() && t_[i_] == c; }
  void SkipSpace() {
    while (i_ < t_.size() &&
           (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
      ++i_;
    }
  }

  // Returns false to stop the scan (duplicate found, or unexpected input).
  bool Value(const std::string& path, int depth) {
    if (depth > kMaxDepth || i_ >= t_.size()) return false;
    if (At('{')) return Object(path, depth);
    if (At('[')) return Array(path, depth);
    if (At('"')) return String(nullptr);
    while (i_ < t_.size() && t_[i_] != ',' && t_[i_] != '}' && t_[i_] != ']' && t_[i_] != ' ' &&
           t_[i_] != '\n' && t_[i_] != '\r' && t_[i_] != '\t') {
      ++i_;
    }
    return true;
  }

  bool Object(const std::string& path, int depth) {
    ++i_;
    SkipSpace();
    if (At('}')) return ++i_, true;
    std::set<std::string> keys;
    while (true) {
      std::string key;
      if (!At('"') || !String(&key)) return false;
      std::string member = JsonMember(path, key);
      if (!keys.insert(std::move(key)).second) {
        found_ = std::move(member);
        return false;
      }
      SkipSpace();
      if (!At(':')) return false;
      ++i_;
      SkipSpace();
      if (!Value(member, depth + 1)) return false;
      SkipSpace();
      if (At('}')) return ++i_, true;
      if (!At(',')) return false;
      ++i_;
      SkipSpace();
    }
  }

  bool Array(const std::string& path, int depth) {
    ++i_;
    SkipSpace();
    if (At(']')) return ++i_, true;
    for (size_t index = 0;; ++index) {
      if (!Value(JsonIndex(path, index), depth + 1)) return false;
      SkipSpace();
      if (At(']')) return ++i_, true;
      if (!At(',')) return false;
      ++i_;
      SkipSpace();
    }
  }

  bool Hex4(uint32_t& out) {
    if (i_ + 4 > t_.size()) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t_[i_++];
      uint32_t d = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : 16;
      if (d == 16) return false;
      out = out * 16 + d;
    }
    return true;
  }

  bool Escape(std::string& out) {
    if (i_ >= t_.size()) return false;
    char c = t_[i_++];
    switch (c) {
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        out += c;
        return true;
    }
    uint32_t cp = 0;
    if (!Hex4(cp)) return false;
    if (cp >= 0xD800 && cp < 0xDC00 && i_ + 1 < t_.size() && t_[i_] == '\\' && t_[i_ + 1] == 'u') {
      i_ += 2;
      uint32_t low = 0;
      if (!Hex4(low)) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(out, cp);
    return true;
  }

  // At the opening quote; decodes into `out` when not null.
  bool String(std::string* out) {
    std::string scratch;
    std::string& s = out != nullptr ? *out : scratch;
    ++i_;
    while (i_ < t_.size()) {
      char c = t_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        s += c;
      } else if (!Escape(s)) {
        return false;
      }
    }
    return false;
  }

  std::string_view t_;
  size_t i_ = 0;
  std::optional<std::string> found_;
};

}  // namespace

std::string JsonMember(std::string_view path, std::string_view key) {
  std::string out(path);
  if (IsPlainKey(key)) {
    out += '.';
    out += key;
    return out;
  }
  out += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"]";
  return out;
}

std::string JsonIndex(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::optional<std::string> FindDuplicateKey(std::string_view text) {
  return DuplicateScanner(text).Run();
}

}  // namespace bp::auth::iam
