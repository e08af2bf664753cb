#include "cli/simulate_cases.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include <boost/json.hpp>

#include "auth/iam/evaluator.h"
#include "auth/iam/policy_parser.h"
#include "json/json.h"

namespace bp::cli {

namespace {

namespace fs = std::filesystem;
namespace iam = auth::iam;

// A case file is small; this bounds what a stray argument can make us read.
constexpr std::uintmax_t kMaxCaseBytes = 4 * 1024 * 1024;

// What deciding one file produced: a decision, or an error.
struct CaseResult {
  std::string file;
  std::optional<std::string> error;
  bool policy_error = false;  // the error is a policy that does not parse
  iam::Decision decision;
  std::vector<iam::Policy> policies;  // `decision` points into these
  std::optional<std::string> expect;  // the case's `expect`, when given
  bool expect_invalid = false;        // "invalid": true
};

Result<std::string> ReadCaseFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return IoError("not a regular file");
  if (fs::file_size(path, ec) > kMaxCaseBytes) {
    return IoError("larger than " + std::to_string(kMaxCaseBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) return IoError("cannot read it");
  return text.str();
}

Status ReadContext(const json::Object& request, iam::Context& context) {
  const json::Value* ctx = request.if_contains("context");
  if (ctx == nullptr) return Status::Ok();
  BP_ASSIGN_OR_RETURN(const json::Object* members, json::RequireObject(*ctx, "$.request.context"));
  for (const auto& member : *members) {
    std::string path = "$.request.context[\"" + std::string(member.key()) + "\"]";
    const json::Value& v = member.value();
    if (v.is_string()) {
      context.Set(member.key(), std::string(v.get_string()));
      continue;
    }
    if (!v.is_array()) {
      return ValidationError(path + ": expected a string or a list of strings, got " +
                             std::string(json::KindName(v)));
    }
    std::vector<std::string> values;
    for (size_t i = 0; i < v.get_array().size(); ++i) {
      const json::Value& item = v.get_array()[i];
      if (!item.is_string()) {
        return ValidationError(path + "[" + std::to_string(i) + "]: expected a string, got " +
                               std::string(json::KindName(item)));
      }
      values.emplace_back(item.get_string());
    }
    context.SetList(member.key(), std::move(values));
  }
  return Status::Ok();
}

// The request of a case. As the shared set's README requires, aws:PrincipalArn
// is the principal unless the context sets it; nothing else is derived.
Result<iam::Request> ReadRequest(const json::Object& c) {
  const json::Value* r = c.if_contains("request");
  if (r == nullptr) return ValidationError("$: request is required");
  BP_ASSIGN_OR_RETURN(const json::Object* request, json::RequireObject(*r, "$.request"));
  BP_RETURN_IF_ERROR(json::RejectUnknownKeys(
      *request, {"principal", "action", "resource", "context"}, "$.request"));
  iam::Request out;
  BP_ASSIGN_OR_RETURN(std::string principal,
                      json::RequiredString(*request, "principal", "$.request"));
  BP_ASSIGN_OR_RETURN(out.action, json::RequiredString(*request, "action", "$.request"));
  BP_ASSIGN_OR_RETURN(out.resource, json::RequiredString(*request, "resource", "$.request"));
  BP_RETURN_IF_ERROR(ReadContext(*request, out.context));
  if (out.context.Find("aws:PrincipalArn") == nullptr) {
    out.context.Set("aws:PrincipalArn", principal);
  }
  return out;
}

// Reads the case (errors name the JSON path) and evaluates it into `result`.
Status DecideCase(const std::string& text, CaseResult& result) {
  BP_ASSIGN_OR_RETURN(json::Value doc, json::Parse(text));
  BP_ASSIGN_OR_RETURN(const json::Object* c, json::RequireObject(doc, "$"));
  BP_ASSIGN_OR_RETURN(std::optional<std::string> expect, json::OptionalString(*c, "expect", "$"));
  result.expect = std::move(expect);
  if (const json::Value* invalid = c->if_contains("invalid")) {
    if (!invalid->is_bool()) return ValidationError("$.invalid: expected true or false");
    result.expect_invalid = invalid->get_bool();
  }
  const json::Value* policies = c->if_contains("policies");
  if (policies == nullptr || !policies->is_array()) {
    return ValidationError("$.policies: expected a list of policy documents");
  }
  BP_ASSIGN_OR_RETURN(iam::Request request, ReadRequest(*c));
  const json::Array& entries = policies->get_array();
  for (size_t i = 0; i < entries.size(); ++i) {
    // An entry is a document, or a string holding the document's raw text.
    const json::Value& entry = entries[i];
    std::string policy_text =
        entry.is_string() ? std::string(entry.get_string()) : json::Serialize(entry);
    std::string origin = result.file + ":policies[" + std::to_string(i) + "]";
    Result<iam::Policy> policy = iam::ParsePolicy(policy_text, origin);
    if (!policy.ok()) {
      result.policy_error = true;
      return Status(policy.status().code(), origin + ": " + policy.status().message());
    }
    result.policies.push_back(std::move(policy).value());
  }
  std::vector<const iam::Policy*> attached;
  for (const iam::Policy& p : result.policies) attached.push_back(&p);
  result.decision = iam::Evaluate(attached, request);
  return Status::Ok();
}

CaseResult Decide(const fs::path& path) {
  CaseResult result;
  result.file = path.string();
  Result<std::string> text = ReadCaseFile(path);
  if (!text.ok()) {
    result.error = text.status().message();
    return result;
  }
  Status s = DecideCase(*text, result);
  if (!s.ok()) result.error = s.message();
  return result;
}

// Whether the result is what the case expects (true when it expects nothing).
bool AsExpected(const CaseResult& r) {
  if (r.expect_invalid) return r.policy_error;
  if (r.error) return false;
  return !r.expect || *r.expect == iam::OutcomeName(r.decision.outcome);
}

void Print(const CaseResult& r, bool json) {
  if (json) {
    boost::json::object line{{"file", r.file}};
    if (r.error) {
      line["error"] = *r.error;
    } else {
      line["decision"] = iam::OutcomeName(r.decision.outcome);
      if (r.decision.statement != nullptr) {
        line["statement"] = r.decision.statement->Name();
        line["policy"] = r.decision.policy_index;
      }
      line["explanation"] = r.decision.Describe();
    }
    if (r.expect) line["expect"] = *r.expect;
    if (r.expect || r.expect_invalid) line["asExpected"] = AsExpected(r);
    std::cout << boost::json::serialize(line) << "\n";
    return;
  }
  if (r.error) {
    std::cout << r.file << ": error: " << *r.error << "\n";
  } else {
    std::cout << r.file << ": " << iam::OutcomeName(r.decision.outcome) << " ("
              << r.decision.Describe() << ")\n";
  }
  if (r.expect_invalid && !r.policy_error) {
    std::cout << "  expected a policy to be refused\n";
  } else if (r.expect && !r.error && !AsExpected(r)) {
    std::cout << "  expected " << *r.expect << "\n";
  }
}

}  // namespace

int RunSimulateCases(const std::string& path, bool json) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec) {
    std::cerr << "error: " << path << ": " << ec.message() << "\n";
    return 1;
  }
  std::vector<fs::path> files;
  if (fs::is_directory(status)) {
    for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
      if (e.path().extension() == ".json" && e.is_regular_file(ec)) files.push_back(e.path());
    }
    if (ec) {
      std::cerr << "error: " << path << ": " << ec.message() << "\n";
      return 1;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::cerr << "error: " << path << ": no .json case files in this folder\n";
      return 1;
    }
  } else {
    files.emplace_back(path);
  }
  bool failed = false;
  bool unexpected = false;
  for (const fs::path& file : files) {
    CaseResult r = Decide(file);
    Print(r, json);
    if (r.error && !(r.expect_invalid && r.policy_error)) {
      failed = true;
    } else if (!AsExpected(r)) {
      unexpected = true;
    }
  }
  if (failed) return 1;
  return unexpected ? 2 : 0;
}

}  // namespace bp::cli
