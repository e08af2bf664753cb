// libFuzzer target over what the credential chain reads from outside the
// process. Byte 0 picks the decoder for the rest:
//   0  a credential_process answer          (ParseProcessCredentials)
//   1  a container / IMDS answer            (ParseRemoteCredentials)
//   2  an RFC 3339 date-time                (ParseRfc3339)
//   3  a shared credentials / config file   (ParseIni)
//   4  a credential_process command line    (SplitCommandLine)
// Invariants: an answer's error message never quotes the input (short
// template messages only); accepted credentials have both keys; a parsed
// date formats and parses back to itself; split words, quoted again, split
// back to the same words.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials/credential_json.h"
#include "auth/credentials/credential_process.h"
#include "auth/credentials/credentials.h"
#include "core/clock.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckAnswer(const bp::Result<bp::auth::credentials::Credentials>& r, std::string_view input) {
  if (r.ok()) {
    Check(!r->access_key_id.empty() && !r->secret_access_key.empty());
    Check(r->source == "fuzz");
    return;
  }
  const std::string& m = r.status().message();
  Check(m.size() < 120);
  Check(input.size() < 24 || m.find(input) == std::string::npos);
}

// Single-quotes each word the POSIX way ('it'\''s').
std::string Requote(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    out += " '";
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += "'";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace bp::auth::credentials;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      CheckAnswer(ParseProcessCredentials(rest, "fuzz"), rest);
      break;
    case 1:
      CheckAnswer(ParseRemoteCredentials(rest, "fuzz"), rest);
      break;
    case 2:
      if (auto t = ParseRfc3339(rest)) {
        auto again = ParseRfc3339(bp::FormatRfc3339(*t));
        Check(again.has_value());
        Check(std::chrono::floor<std::chrono::milliseconds>(*again) ==
              std::chrono::floor<std::chrono::milliseconds>(*t));
      }
      break;
    case 3:
      (void)ParseIni(rest, "fuzz");
      break;
    case 4:
      if (auto words = SplitCommandLine(rest); words.ok()) {
        Check(!words->empty());
        auto again = SplitCommandLine(Requote(*words));
        Check(again.ok() && *again == *words);
      }
      break;
  }
  return 0;
}
