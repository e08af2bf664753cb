// SigV4 from curl's --aws-sigv4 (how an endpoint is tried by hand) against a
// real `serve` child process, over HTTP/1.1 and over HTTP/2 with prior
// knowledge: accepted when signed for the endpoint's region (the config's,
// eu-central-1) and service `bedrock`, refused with AWS's error and wording
// otherwise (auth.md §1.2). Over HTTP/2 curl sends no Host, only :authority,
// while the signature covers `host` (RFC 9113 §8.3.1).
#include <fstream>
#include <string>
#include <vector>

#include "integration/child_process.h"
#include "integration/served_test.h"
#include "testing/testing.h"

namespace bp::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kAccessKey[] = "AKIABPLOCALRDE2E0001";  // rd-e2e of the shipped config
constexpr char kSecret[] = "bpLocalRdE2eSecretKeyDoNotUseOutsideDev1";
constexpr char kConverseBody[] =
    R"({"messages":[{"role":"user","content":[{"text":"Say: hello from curl"}]}]})";

struct CurlAnswer {
  int exit_code = -1;
  std::string status;        // "200"
  std::string http_version;  // "1.1" or "2"
  std::string headers;       // the response head as received
  std::string body;
  std::string err;
};

class CurlSigV4Test : public ServedTest<CurlSigV4Test> {
 public:
  static std::string ConfigText() { return WithRegions(ShippedConfig(), kFastRegions); }

 protected:
  // POST /model/acwt9yee9wzo/converse (rd-haiku-45), signed by curl for
  // `scope` ("aws:amz:<region>:<service>"), over `protocol`
  // ("--http1.1" or "--http2-prior-knowledge").
  CurlAnswer Converse(const std::string& protocol, const std::string& scope) {
    const std::string body = (dir_.path() / "body.json").string();
    const std::string head = (dir_.path() / "head.txt").string();
    const std::string out = (dir_.path() / "out.txt").string();
    std::ofstream(body) << kConverseBody;
    RunResult r = RunProgram("curl", {"--silent",
                                      "--show-error",
                                      "--max-time",
                                      "20",
                                      protocol,
                                      "--aws-sigv4",
                                      scope,
                                      "--user",
                                      std::string(kAccessKey) + ":" + kSecret,
                                      "-H",
                                      "content-type: application/json",
                                      "--data-binary",
                                      "@" + body,
                                      "--dump-header",
                                      head,
                                      "--output",
                                      out,
                                      "--write-out",
                                      "%{http_code} %{http_version}",
                                      endpoint_ + "/model/acwt9yee9wzo/converse"});
    CurlAnswer answer;
    answer.exit_code = r.exit_code;
    answer.err = r.err;
    size_t space = r.out.find(' ');
    answer.status = r.out.substr(0, space);
    if (space != std::string::npos) answer.http_version = r.out.substr(space + 1);
    answer.headers = ReadFileOrDie(head);
    answer.body = ReadFileOrDie(out);
    return answer;
  }

  TempDir dir_;
};

const std::vector<std::string>& Protocols() {
  static const std::vector<std::string> kProtocols = {"--http1.1", "--http2-prior-knowledge"};
  return kProtocols;
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string VersionOf(const std::string& protocol) { return protocol == "--http1.1" ? "1.1" : "2"; }

TEST_F(CurlSigV4Test, ASignatureForTheEndpointsRegionIsAcceptedOverHttp11AndHttp2) {
  for (const std::string& protocol : Protocols()) {
    CurlAnswer a = Converse(protocol, "aws:amz:eu-central-1:bedrock");
    ASSERT_EQ(a.exit_code, 0) << protocol << ": " << a.err;
    EXPECT_EQ(a.http_version, VersionOf(protocol));
    EXPECT_EQ(a.status, "200") << protocol << ": " << a.body;
    EXPECT_THAT(a.body, HasSubstr(R"("text":"hello from curl")")) << protocol;
  }
}

TEST_F(CurlSigV4Test, ASignatureForAnotherRegionIsAwssRefusal) {
  for (const std::string& protocol : Protocols()) {
    CurlAnswer a = Converse(protocol, "aws:amz:us-east-1:bedrock");
    ASSERT_EQ(a.exit_code, 0) << protocol << ": " << a.err;
    EXPECT_EQ(a.http_version, VersionOf(protocol));
    EXPECT_EQ(a.status, "403") << protocol << ": " << a.body;
    EXPECT_THAT(ToLower(a.headers), HasSubstr("x-amzn-errortype: invalidsignatureexception"))
        << protocol;
    EXPECT_EQ(a.body,
              R"({"message":"Credential should be scoped to a valid region, not 'us-east-1'. "})")
        << protocol;
  }
}

TEST_F(CurlSigV4Test, ASignatureForAnotherServiceIsAwssRefusal) {
  for (const std::string& protocol : Protocols()) {
    CurlAnswer a = Converse(protocol, "aws:amz:eu-central-1:bedrock-runtime");
    ASSERT_EQ(a.exit_code, 0) << protocol << ": " << a.err;
    EXPECT_EQ(a.status, "403") << protocol << ": " << a.body;
    EXPECT_THAT(ToLower(a.headers), HasSubstr("x-amzn-errortype: invalidsignatureexception"))
        << protocol;
    EXPECT_EQ(a.body,
              R"({"message":"Credential should be scoped to correct service: 'bedrock'. "})")
        << protocol;
  }
}

}  // namespace
}  // namespace bp::testing
