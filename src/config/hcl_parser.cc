#include "config/hcl_parser.h"

#include <unordered_map>
#include <utility>

#include "config/hcl_lexer.h"

namespace bp::config {

namespace {

// Recursive descent over HclLexer with one token of lookahead. The first
// syntax error stops the parse (what follows it cannot be trusted); duplicate
// keys are collected and the parse goes on.
class HclParser final {
 public:
  HclParser(std::string_view text, const std::string& file, const ParseOptions& options)
      : lexer_(text), file_(file), options_(options) {
    Bump();
  }

  ParseOutput Run();

 private:
  void Bump() { tok_ = lexer_.Next(); }
  void SkipNewlines() {
    while (tok_.kind == TokenKind::kNewline) Bump();
  }
  SourceLocation Loc(const Token& t) const { return At(file_, t.line, t.column); }
  // Records "expected WHAT, found <current token>" (or the lexer's own
  // message when the current token is a lexer error). Always returns false.
  bool Expected(std::string_view what, std::string_view note = {});
  bool Fail(const Token& at, std::string message);

  bool ParseAttribute(std::vector<ast::Entry>& attributes,
                      std::unordered_map<std::string, SourceLocation>& seen);
  bool ParseValue(ast::Value& out, int depth, std::string_view context);
  bool ParseList(ast::Value& out, int depth);
  bool ParseObject(ast::Value& out, int depth);
  bool EnterContainer(int depth);
  void AddEntry(std::vector<ast::Entry>& entries,
                std::unordered_map<std::string, SourceLocation>& seen, ast::Entry entry,
                std::string_view what);

  HclLexer lexer_;
  const std::string& file_;
  const ParseOptions& options_;
  Token tok_;
  std::optional<Diagnostic> syntax_error_;
  std::vector<Diagnostic> duplicates_;
};

std::string OpenedAt(const SourceLocation& loc) {
  return "line " + std::to_string(loc.line) + ", column " + std::to_string(loc.column);
}

bool HclParser::Fail(const Token& at, std::string message) {
  if (!syntax_error_) syntax_error_ = Diagnostic{Loc(at), std::move(message)};
  return false;
}

bool HclParser::Expected(std::string_view what, std::string_view note) {
  if (tok_.kind == TokenKind::kError) return Fail(tok_, tok_.text);
  std::string message = "expected " + std::string(what) + ", found " + DescribeToken(tok_);
  if (!note.empty()) message += " " + std::string(note);
  return Fail(tok_, std::move(message));
}

ParseOutput HclParser::Run() {
  ast::Body body;
  body.file = file_;
  std::unordered_map<std::string, SourceLocation> seen;
  SkipNewlines();
  while (tok_.kind != TokenKind::kEof) {
    std::string name = tok_.text;
    if (!ParseAttribute(body.attributes, seen)) break;
    if (tok_.kind == TokenKind::kNewline) {
      SkipNewlines();
    } else if (tok_.kind != TokenKind::kEof) {
      Expected("a newline after the value of '" + name + "'");
      break;
    }
  }
  ParseOutput out;
  if (syntax_error_) {
    out.errors.push_back(std::move(*syntax_error_));
    return out;
  }
  out.body = std::move(body);
  out.errors = std::move(duplicates_);
  return out;
}

bool HclParser::ParseAttribute(std::vector<ast::Entry>& attributes,
                               std::unordered_map<std::string, SourceLocation>& seen) {
  if (tok_.kind == TokenKind::kString) {
    return Expected("an attribute name", "(top-level attribute names are written without quotes)");
  }
  if (tok_.kind != TokenKind::kIdent) return Expected("an attribute name");
  ast::Entry entry{tok_.text, Loc(tok_), {}};
  Bump();
  if (tok_.kind == TokenKind::kLBrace) {
    return Expected("'=' after attribute name '" + entry.key + "'",
                    "(blocks are not supported; write " + entry.key + " = { ... })");
  }
  if (tok_.kind != TokenKind::kEquals) {
    return Expected("'=' after attribute name '" + entry.key + "'");
  }
  Bump();
  if (!ParseValue(entry.value, 0, "after '='")) return false;
  AddEntry(attributes, seen, std::move(entry), "attribute");
  return true;
}

bool HclParser::ParseValue(ast::Value& out, int depth, std::string_view context) {
  out.location = Loc(tok_);
  switch (tok_.kind) {
    case TokenKind::kString:
    case TokenKind::kHeredoc:
      out.kind = ast::Kind::kString;
      out.text = std::move(tok_.text);
      Bump();
      return true;
    case TokenKind::kNumber:
      out.kind = ast::Kind::kNumber;
      out.text = std::move(tok_.text);
      Bump();
      return true;
    case TokenKind::kIdent:
      if (tok_.text == "true" || tok_.text == "false") {
        out.kind = ast::Kind::kBool;
        out.boolean = tok_.text == "true";
      } else if (tok_.text == "null") {
        out.kind = ast::Kind::kNull;
      } else {
        // Not echoed: an unquoted word in value position may be a secret.
        return Fail(tok_, "expected a value " + std::string(context) +
                              ", found a bare word (references and expressions are not "
                              "supported; quote strings)");
      }
      Bump();
      return true;
    case TokenKind::kLBracket:
      return ParseList(out, depth);
    case TokenKind::kLBrace:
      return ParseObject(out, depth);
    default:
      return Expected("a value " + std::string(context));
  }
}

bool HclParser::EnterContainer(int depth) {
  if (depth + 1 <= options_.max_depth) return true;
  return Fail(tok_, "nesting too deep: lists and maps may nest at most " +
                        std::to_string(options_.max_depth) + " levels");
}

bool HclParser::ParseList(ast::Value& out, int depth) {
  if (!EnterContainer(depth)) return false;
  out.kind = ast::Kind::kList;
  Bump();  // '['
  while (true) {
    SkipNewlines();
    if (tok_.kind == TokenKind::kRBracket) break;
    ast::Value item;
    if (!ParseValue(item, depth + 1, "in the list")) return false;
    out.items.push_back(std::move(item));
    SkipNewlines();
    if (tok_.kind == TokenKind::kComma) {
      Bump();
    } else if (tok_.kind != TokenKind::kRBracket) {
      std::string note;
      if (tok_.kind == TokenKind::kEof)
        note = "(the list opened at " + OpenedAt(out.location) + " is not closed)";
      return Expected("',' or ']' after a list item", note);
    }
  }
  Bump();  // ']'
  return true;
}

bool HclParser::ParseObject(ast::Value& out, int depth) {
  if (!EnterContainer(depth)) return false;
  out.kind = ast::Kind::kObject;
  std::unordered_map<std::string, SourceLocation> seen;
  Bump();  // '{'
  while (true) {
    SkipNewlines();
    if (tok_.kind == TokenKind::kRBrace) break;
    if (tok_.kind != TokenKind::kIdent && tok_.kind != TokenKind::kString) {
      std::string note;
      if (tok_.kind == TokenKind::kEof)
        note = "(the map opened at " + OpenedAt(out.location) + " is not closed)";
      return Expected("a key or '}'", note);
    }
    ast::Entry entry{tok_.text, Loc(tok_), {}};
    Bump();
    if (tok_.kind != TokenKind::kEquals && tok_.kind != TokenKind::kColon) {
      return Expected("'=' or ':' after key '" + entry.key + "'");
    }
    std::string context = tok_.kind == TokenKind::kEquals ? "after '='" : "after ':'";
    Bump();
    if (!ParseValue(entry.value, depth + 1, context)) return false;
    std::string key = entry.key;
    AddEntry(out.entries, seen, std::move(entry), "key");
    if (tok_.kind == TokenKind::kComma) {
      Bump();
    } else if (tok_.kind != TokenKind::kNewline && tok_.kind != TokenKind::kRBrace) {
      std::string note;
      if (tok_.kind == TokenKind::kEof)
        note = "(the map opened at " + OpenedAt(out.location) + " is not closed)";
      return Expected("',', a newline or '}' after the value of '" + key + "'", note);
    }
  }
  Bump();  // '}'
  return true;
}

void HclParser::AddEntry(std::vector<ast::Entry>& entries,
                         std::unordered_map<std::string, SourceLocation>& seen, ast::Entry entry,
                         std::string_view what) {
  auto [it, inserted] = seen.emplace(entry.key, entry.key_location);
  if (!inserted) {
    duplicates_.push_back(Diagnostic{entry.key_location, "duplicate " + std::string(what) + " '" +
                                                             entry.key + "' (first defined at " +
                                                             it->second.ToString() + ")"});
    return;
  }
  entries.push_back(std::move(entry));
}

}  // namespace

ParseOutput ParseHcl(std::string_view text, const std::string& file, const ParseOptions& options) {
  text = StripBom(text);
  if (auto bad = CheckSourceText(text, file, options.max_bytes)) {
    ParseOutput out;
    out.errors.push_back(std::move(*bad));
    return out;
  }
  HclParser parser(text, file, options);
  return parser.Run();
}

}  // namespace bp::config
