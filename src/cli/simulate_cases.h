#pragma once
// `simulate --cases PATH [--json]`: decides IAM case files in the format of
// the shared golden set (spec/testdata/iam/README.md): identity policies plus
// one request (principal, action, resource, context keys), as AWS's
// SimulateCustomPolicy takes them. Private to cli/.

#include <string>

namespace bp::cli {

// Decides the case file PATH, or every *.json file of the folder PATH (not
// recursive, by name), printing one line per file: text, or with `json` one
// object a line ({"file","decision","statement","policy","explanation"}, or
// {"file","error"} for a file that is not a case or a policy that does not
// parse). Exit 0 when every file was decided and agreed with its optional
// `expect` (or, for "invalid": true, was refused), 2 when some decision
// differs from its `expect`, 1 when some file could not be decided.
int RunSimulateCases(const std::string& path, bool json);

}  // namespace bp::cli
