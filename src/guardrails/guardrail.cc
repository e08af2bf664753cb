#include "guardrails/guardrail.h"

#include <algorithm>
#include <utility>

#include <re2/re2.h>

namespace bp::guardrails {

namespace {

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = FoldAscii(c);
  return out;
}

// Letters, digits and every byte of a non-ASCII character join a word.
bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

// `folded_word` occurs in `folded_text` with a word boundary on each side.
bool ContainsWord(std::string_view folded_text, std::string_view folded_word) {
  if (folded_word.empty()) return false;
  for (size_t at = folded_text.find(folded_word); at != std::string_view::npos;
       at = folded_text.find(folded_word, at + 1)) {
    size_t end = at + folded_word.size();
    bool left = at == 0 || !IsWordByte(folded_text[at - 1]) || !IsWordByte(folded_word.front());
    bool right = end == folded_text.size() || !IsWordByte(folded_text[end]) ||
                 !IsWordByte(folded_word.back());
    if (left && right) return true;
  }
  return false;
}

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

int64_t Units(int64_t characters) { return (characters + 999) / 1000; }

RE2::Options PatternOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

Result<std::vector<std::unique_ptr<RE2>>> Compile(const std::vector<std::string>& patterns) {
  std::vector<std::unique_ptr<RE2>> out;
  for (const std::string& p : patterns) {
    auto re = std::make_unique<RE2>(p, PatternOptions());
    if (!re->ok()) return ValidationError("pattern '" + p + "' is not valid RE2: " + re->error());
    out.push_back(std::move(re));
  }
  return out;
}

}  // namespace

bool IsValidVersion(std::string_view version) {
  if (version == "DRAFT") return true;
  if (version.empty() || version.size() > 8 || version.front() == '0') return false;
  return std::all_of(version.begin(), version.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsValidId(std::string_view id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

Status CheckPattern(std::string_view pattern) {
  RE2 re(pattern, PatternOptions());
  if (re.ok()) return Status::Ok();
  return ValidationError(re.error());
}

Guardrail::Guardrail(Spec spec) : spec_(std::move(spec)) {}
Guardrail::~Guardrail() = default;

Result<std::unique_ptr<const Guardrail>> Guardrail::Create(Spec spec) {
  if (!IsValidId(spec.id)) {
    return ValidationError("guardrail id '" + spec.id + "' is not 12 characters [a-z0-9]");
  }
  if (spec.version && (!IsValidVersion(*spec.version) || *spec.version == "DRAFT")) {
    return ValidationError("guardrail version '" + *spec.version +
                           "' is not a number from 1 to 99999999");
  }
  BP_ASSIGN_OR_RETURN(auto input, Compile(spec.input.patterns));
  BP_ASSIGN_OR_RETURN(auto output, Compile(spec.output.patterns));
  std::unique_ptr<Guardrail> g(new Guardrail(std::move(spec)));
  g->input_patterns_ = std::move(input);
  g->output_patterns_ = std::move(output);
  return std::unique_ptr<const Guardrail>(std::move(g));
}

bool Guardrail::HasVersion(std::string_view version) const {
  return version == "DRAFT" || (spec_.version && *spec_.version == version);
}

Assessment Guardrail::Evaluate(Source source, std::span<const std::string_view> texts) const {
  const Rules& r = rules(source);
  const auto& patterns = source == Source::kInput ? input_patterns_ : output_patterns_;
  Assessment a;
  for (std::string_view t : texts) a.characters += CodePoints(t);
  if (!r.words.empty()) a.word_units = Units(a.characters);
  if (!r.patterns.empty()) a.regex_units = Units(a.characters);

  std::vector<std::string> folded;
  if (!r.words.empty()) {
    folded.reserve(texts.size());
    for (std::string_view t : texts) folded.push_back(Folded(t));
  }
  for (const std::string& word : r.words) {
    std::string w = Folded(word);
    if (std::any_of(folded.begin(), folded.end(),
                    [&](const std::string& t) { return ContainsWord(t, w); })) {
      a.words.push_back(word);
    }
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    for (std::string_view t : texts) {
      re2::StringPiece match;
      if (patterns[i]->Match(re2::StringPiece(t.data(), t.size()), 0, t.size(), RE2::UNANCHORED,
                             &match, 1)) {
        a.regexes.push_back({r.patterns[i], std::string(match.data(), match.size())});
        break;
      }
    }
  }
  a.intervened = !a.words.empty() || !a.regexes.empty();
  return a;
}

GuardrailSet::GuardrailSet(std::vector<std::unique_ptr<const Guardrail>> guardrails)
    : guardrails_(std::move(guardrails)) {
  std::sort(guardrails_.begin(), guardrails_.end(),
            [](const auto& a, const auto& b) { return a->id() < b->id(); });
}

const Guardrail* GuardrailSet::Find(std::string_view id) const {
  auto it = std::lower_bound(guardrails_.begin(), guardrails_.end(), id,
                             [](const auto& g, std::string_view key) { return g->id() < key; });
  return it != guardrails_.end() && (*it)->id() == id ? it->get() : nullptr;
}

}  // namespace bp::guardrails
