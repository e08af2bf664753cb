#include "auth/iam/pattern.h"

#include <utility>

namespace bp::auth::iam {

namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

// Appends `piece`; `is_literal` marks it as never-wildcard in the mask, which
// is created (zero-filled for what came before) the first time it is needed.
void Append(PolicyString& out, std::string_view piece, bool is_literal) {
  if (is_literal && out.literal.empty()) out.literal.assign(out.text.size(), '\0');
  out.text += piece;
  if (!out.literal.empty()) out.literal.append(piece.size(), is_literal ? '\1' : '\0');
}

Status VariableError(std::string_view raw, size_t at, std::string_view why) {
  return ValidationError("malformed policy variable at offset " + std::to_string(at) + " of \"" +
                         std::string(raw) + "\": " + std::string(why));
}

// Parses the inside of ${...} (not an escape) into `ref`.
Status ParseVariable(std::string_view raw, size_t at, std::string_view inner, VariableRef& ref) {
  size_t comma = inner.find(',');
  std::string_view key = Trim(inner.substr(0, comma));
  if (key.empty()) return VariableError(raw, at, "the variable name is empty");
  if (key.find_first_of(" \t${'") != std::string_view::npos) {
    return VariableError(raw, at, "the variable name may not contain spaces, '$', '{' or quotes");
  }
  ref.key = ToLowerAscii(key);
  if (comma == std::string_view::npos) return Status::Ok();
  std::string_view def = Trim(inner.substr(comma + 1));
  if (def.size() < 2 || def.front() != '\'' || def.back() != '\'') {
    return VariableError(raw, at, "a default value is written in single quotes: ${key, 'default'}");
  }
  ref.fallback = std::string(def.substr(1, def.size() - 2));
  return Status::Ok();
}

size_t Utf8Length(std::string_view v, size_t i) {
  size_t j = i + 1;
  while (j < v.size() && (static_cast<unsigned char>(v[j]) & 0xC0) == 0x80) ++j;
  return j - i;
}

char Fold(char c, CaseMode mode) {
  if (mode == CaseMode::kAsciiInsensitive && c >= 'A' && c <= 'Z') {
    return static_cast<char>(c - 'A' + 'a');
  }
  return c;
}

}  // namespace

Result<PolicyString> ParsePolicyString(std::string_view raw, bool variables) {
  PolicyString out;
  if (!variables) {
    out.text = std::string(raw);
    return out;
  }
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t open = raw.find("${", pos);
    if (open == std::string_view::npos) break;
    Append(out, raw.substr(pos, open - pos), false);
    size_t close = raw.find('}', open + 2);
    if (close == std::string_view::npos) return VariableError(raw, open, "missing '}'");
    std::string_view inner = raw.substr(open + 2, close - open - 2);
    if (inner == "*" || inner == "?" || inner == "$") {
      Append(out, inner, true);
    } else {
      VariableRef ref;
      BP_RETURN_IF_ERROR(ParseVariable(raw, open, inner, ref));
      ref.offset = out.text.size();
      out.variables.push_back(std::move(ref));
    }
    pos = close + 1;
  }
  Append(out, raw.substr(pos), false);
  return out;
}

PatternView PatternView::Sub(size_t pos, size_t len) const {
  return PatternView{text.substr(pos, len), literal.empty() ? literal : literal.substr(pos, len)};
}

bool PatternView::HasWildcard() const {
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsStar(i) || IsOne(i)) return true;
  }
  return false;
}

// Iterative glob with single-star backtracking: linear for patterns without
// '*', O(pattern * value) in the worst case, no recursion, no allocation.
bool WildcardMatch(PatternView pattern, std::string_view value, CaseMode mode) {
  const size_t n = pattern.text.size();
  size_t p = 0;
  size_t v = 0;
  size_t star = std::string_view::npos;
  size_t mark = 0;
  while (v < value.size()) {
    if (p < n && pattern.IsStar(p)) {
      star = p++;
      mark = v;
    } else if (p < n && pattern.IsOne(p)) {
      ++p;
      v += Utf8Length(value, v);
    } else if (p < n && Fold(pattern.text[p], mode) == Fold(value[v], mode)) {
      ++p;
      ++v;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      mark += Utf8Length(value, mark);
      v = mark;
    } else {
      return false;
    }
  }
  while (p < n && pattern.IsStar(p)) ++p;
  return p == n;
}

ArnComponents SplitArn(std::string_view text) {
  ArnComponents c;
  size_t start = 0;
  while (true) {
    c.begin[c.count] = start;
    size_t colon = c.count == 5 ? std::string_view::npos : text.find(':', start);
    if (colon == std::string_view::npos) {
      c.end[c.count++] = text.size();
      return c;
    }
    c.end[c.count++] = colon;
    start = colon + 1;
  }
}

ArnComponents SplitArnPattern(PatternView pattern) {
  ArnComponents c = SplitArn(pattern.text);
  for (size_t i = 0; i < c.count; ++i) {
    if (!pattern.Sub(c.begin[i], c.end[i] - c.begin[i]).HasWildcard()) {
      c.plain = static_cast<uint8_t>(c.plain | (1u << i));
    }
  }
  return c;
}

bool ArnMatch(PatternView pattern, const ArnComponents& split, std::string_view value) {
  return ArnMatch(pattern, split, value, SplitArn(value));
}

bool ArnMatch(PatternView pattern, const ArnComponents& split, std::string_view value,
              const ArnComponents& v) {
  for (size_t i = 0; i < split.count; ++i) {
    if (i >= v.count) return false;
    const std::string_view value_part = value.substr(v.begin[i], v.end[i] - v.begin[i]);
    if ((split.plain & (1u << i)) != 0) {  // no wildcard: the texts are equal or it fails
      if (pattern.text.substr(split.begin[i], split.end[i] - split.begin[i]) != value_part) {
        return false;
      }
      continue;
    }
    PatternView part = pattern.Sub(split.begin[i], split.end[i] - split.begin[i]);
    bool covers_rest = i + 1 == split.count && split.count < 6 && !part.text.empty() &&
                       part.IsStar(part.text.size() - 1);
    size_t value_end = covers_rest ? value.size() : v.end[i];
    if (!WildcardMatch(part, value.substr(v.begin[i], value_end - v.begin[i]),
                       CaseMode::kSensitive)) {
      return false;
    }
    if (covers_rest) return true;
  }
  return split.count == v.count;
}

namespace {

// ResolvePolicyString and ResolveUnknownAsWildcard: `wildcard` says what a
// variable without a value becomes (a '*' wildcard, or a failure).
bool Resolve(const PolicyString& s, const Context& context, bool wildcard, std::string& text,
             std::string& literal) {
  text.clear();
  literal.clear();
  const std::string_view source = s.text;
  const std::string_view mask = s.literal;
  // Copies source[pos, pos + len) with its mask (or zeros: wildcards stay).
  auto copy_source = [&](size_t pos, size_t len) {
    text += source.substr(pos, len);
    if (mask.empty()) {
      literal.append(len, '\0');
    } else {
      literal += mask.substr(pos, len);
    }
  };
  size_t pos = 0;
  for (const VariableRef& var : s.variables) {
    copy_source(pos, var.offset - pos);
    pos = var.offset;
    const ContextValue* cv = context.FindLowered(var.key);
    std::string_view value;
    if (cv != nullptr && !cv->multi && cv->values.size() == 1) {
      value = cv->values.front();
    } else if (var.fallback) {
      value = *var.fallback;
    } else if (wildcard) {
      text += '*';
      literal += '\0';
      continue;
    } else {
      return false;
    }
    text += value;
    literal.append(value.size(), '\1');
  }
  copy_source(pos, source.size() - pos);
  return true;
}

}  // namespace

bool ResolvePolicyString(const PolicyString& s, const Context& context, std::string& text,
                         std::string& literal) {
  return Resolve(s, context, false, text, literal);
}

void ResolveUnknownAsWildcard(const PolicyString& s, const Context& context, std::string& text,
                              std::string& literal) {
  Resolve(s, context, true, text, literal);
}

}  // namespace bp::auth::iam
