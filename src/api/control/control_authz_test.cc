// Authorization of the control-plane routes (control_routes.h): which
// action/resource/context each operation asks, and that a denial writes
// nothing and reveals nothing.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/control/control_routes.h"
#include "api/control/control_test_fixture.h"
#include "api/fake_response_stream.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "core/uri.h"
#include "json/json.h"

namespace bp::api::control {
namespace {

using ::bp::api::testing::FakeResponseStream;
using ::bp::api::testing::MakeRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One question the authorizer was asked, owning its strings.
struct Asked {
  std::string action;
  std::string resource;
  std::vector<auth::ContextEntry> context;

  const auth::ContextEntry* Find(const std::string& key) const {
    for (const auth::ContextEntry& e : context) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
  // "key=v1|v2" for one key, "" when absent; "[]" marks a multi-valued key.
  std::string Value(const std::string& key) const {
    const auth::ContextEntry* e = Find(key);
    if (e == nullptr) return "";
    std::string out = e->multi ? "[]" : "";
    for (size_t i = 0; i < e->values.size(); ++i) out += (i ? "|" : "") + e->values[i];
    return out;
  }
};

// Records every question; denies those `deny` selects (none by default) with
// AWS's wording.
class RecordingAuthorizer final : public auth::Authorizer {
 public:
  Status Authorize(const auth::Principal& principal, const auth::RequestFacts&,
                   const auth::AuthorizationRequest& q) const override {
    asked_.push_back({std::string(q.action), std::string(q.resource), q.context});
    if (deny && deny(asked_.back())) {
      return Status(
          ErrorCode::kAccessDenied,
          "User: " + principal.arn + " is not authorized to perform: " + std::string(q.action) +
              " on resource: " + std::string(q.resource) +
              " because no identity-based policy allows the " + std::string(q.action) + " action");
    }
    return Status::Ok();
  }

  // "action on resource", one per question, in order.
  std::vector<std::string> Pairs() const {
    std::vector<std::string> out;
    for (const Asked& a : asked_) out.push_back(a.action + " on " + a.resource);
    return out;
  }
  const std::vector<Asked>& asked() const { return asked_; }
  void Clear() { asked_.clear(); }

  std::function<bool(const Asked&)> deny;

 private:
  mutable std::vector<Asked> asked_;  // single-threaded tests only
};

struct Reply {
  unsigned status = 0;
  std::string error_type;
  std::string raw;
};

class ControlAuthzTest : public ControlServiceFixture {
 protected:
  ControlAuthzTest() : handler_(auth_, clock_) {
    EXPECT_OK(RegisterControlRoutes(handler_, control_, authorizer_));
  }

  Reply Call(std::string method, std::string target, std::string body = "") {
    auto stream = std::make_shared<FakeResponseStream>();
    handler_.Handle(MakeRequest(std::move(method), std::move(target), std::move(body)), stream);
    EXPECT_EQ(stream->answers, 1);
    return {stream->response.status, stream->Header("x-amzn-errortype"), stream->response.body};
  }

  // Asks `method target body` and returns the pairs the authorizer was asked.
  std::vector<std::string> PairsFor(std::string method, std::string target, std::string body = "") {
    authorizer_.Clear();
    Reply r = Call(std::move(method), std::move(target), std::move(body));
    EXPECT_LT(r.status, 300u) << r.raw;
    return authorizer_.Pairs();
  }

  static std::string CreateBody(const std::string& name, const std::string& tags = "") {
    return R"({"inferenceProfileName":")" + name + R"(","modelSource":{"copyFrom":")" +
           kHaikuSystemArn + "\"}" + (tags.empty() ? "" : R"(,"tags":)" + tags) + "}";
  }

  static void ExpectDenied(const Reply& r) {
    EXPECT_EQ(r.status, 403u) << r.raw;
    EXPECT_EQ(r.error_type, "AccessDeniedException");
    EXPECT_THAT(r.raw, HasSubstr("is not authorized to perform"));
  }

  Tags StoredTags(const std::string& arn) {
    Result<Tags> tags = control_.ListTagsForResource(arn);
    EXPECT_OK(tags.status());
    return tags.ok() ? *tags : Tags{};
  }

  auth::AnonymousAuthenticator auth_;
  RecordingAuthorizer authorizer_;
  ApiHandler handler_;
};

const std::string kNewProfile = std::string(kAppArnPrefix) + "*";

TEST_F(ControlAuthzTest, CreateWithoutTagsAsksOnTheNewProfileAndTheSource) {
  EXPECT_THAT(PairsFor("POST", "/inference-profiles", CreateBody("a")),
              ElementsAre("bedrock:CreateInferenceProfile on " + kNewProfile,
                          "bedrock:CreateInferenceProfile on " + std::string(kHaikuSystemArn)));
  for (const Asked& a : authorizer_.asked()) EXPECT_THAT(a.context, IsEmpty());
}

TEST_F(ControlAuthzTest, CreateWithTagsAlsoAsksTagResourceWithRequestTags) {
  EXPECT_THAT(
      PairsFor("POST", "/inference-profiles",
               CreateBody("b", R"([{"key":"team","value":"ml"},{"key":"cost","value":"7"}])")),
      ElementsAre("bedrock:CreateInferenceProfile on " + kNewProfile,
                  "bedrock:CreateInferenceProfile on " + std::string(kHaikuSystemArn),
                  "bedrock:TagResource on " + kNewProfile));
  for (const Asked& a : authorizer_.asked()) {
    EXPECT_EQ(a.Value("aws:RequestTag/team"), "ml");
    EXPECT_EQ(a.Value("aws:RequestTag/cost"), "7");
    EXPECT_EQ(a.Value("aws:TagKeys"), "[]team|cost");
    // The default tags are merged in by the operation, not requested.
    EXPECT_EQ(a.Find("aws:RequestTag/Environment"), nullptr);
    EXPECT_EQ(a.context.size(), 3u);
  }
}

TEST_F(ControlAuthzTest, GetAndDeleteAskOnTheProfileArnWithItsResourceTags) {
  std::string arn = MakeProfile("tagged", {{"team", "ml"}});
  std::string id = arn.substr(arn.rfind('/') + 1);
  EXPECT_THAT(PairsFor("GET", "/inference-profiles/" + id),
              ElementsAre("bedrock:GetInferenceProfile on " + arn));
  const Asked& get = authorizer_.asked().at(0);
  EXPECT_EQ(get.Value("aws:ResourceTag/team"), "ml");
  EXPECT_EQ(get.Value("aws:ResourceTag/Environment"), "rd");  // merged default tag
  EXPECT_EQ(get.context.size(), 3u);

  EXPECT_THAT(PairsFor("GET", "/inference-profiles/" + UriEncode(arn)),
              ElementsAre("bedrock:GetInferenceProfile on " + arn));
  std::string system_id(kHaikuSystemArn);
  system_id = system_id.substr(system_id.rfind('/') + 1);
  EXPECT_THAT(PairsFor("GET", "/inference-profiles/" + system_id),
              ElementsAre("bedrock:GetInferenceProfile on " + std::string(kHaikuSystemArn)));
  EXPECT_THAT(authorizer_.asked().at(0).context, IsEmpty());

  EXPECT_THAT(PairsFor("DELETE", "/inference-profiles/" + UriEncode(arn)),
              ElementsAre("bedrock:DeleteInferenceProfile on " + arn));
  EXPECT_EQ(authorizer_.asked().at(0).Value("aws:ResourceTag/team"), "ml");
}

TEST_F(ControlAuthzTest, ListsAskOnStar) {
  EXPECT_THAT(PairsFor("GET", "/inference-profiles?typeEquals=APPLICATION"),
              ElementsAre("bedrock:ListInferenceProfiles on *"));
  EXPECT_THAT(PairsFor("GET", "/foundation-models"),
              ElementsAre("bedrock:ListFoundationModels on *"));
}

TEST_F(ControlAuthzTest, GetFoundationModelAsksOnTheModelArn) {
  EXPECT_THAT(PairsFor("GET", std::string("/foundation-models/") + kHaikuModel),
              ElementsAre("bedrock:GetFoundationModel on " + ModelArn(kRegion)));
  EXPECT_THAT(PairsFor("GET", "/foundation-models/" + UriEncode(ModelArn("eu-west-1"))),
              ElementsAre("bedrock:GetFoundationModel on " + ModelArn("eu-west-1")));
}

TEST_F(ControlAuthzTest, TagOperationsAskOnTheResourceArnWithTagContext) {
  std::string arn = MakeProfile("tags", {{"team", "ml"}});
  EXPECT_THAT(PairsFor("POST", "/tagResource",
                       R"({"resourceARN":")" + arn + R"(","tags":[{"key":"owner","value":"x"}]})"),
              ElementsAre("bedrock:TagResource on " + arn));
  const Asked& tag = authorizer_.asked().at(0);
  EXPECT_EQ(tag.Value("aws:RequestTag/owner"), "x");
  EXPECT_EQ(tag.Value("aws:TagKeys"), "[]owner");
  EXPECT_EQ(tag.Value("aws:ResourceTag/team"), "ml");
  EXPECT_EQ(tag.Value("aws:ResourceTag/owner"), "");  // asked before the write

  EXPECT_THAT(
      PairsFor("POST", "/untagResource", R"({"resourceARN":")" + arn + R"(","tagKeys":["team"]})"),
      ElementsAre("bedrock:UntagResource on " + arn));
  const Asked& untag = authorizer_.asked().at(0);
  EXPECT_EQ(untag.Value("aws:TagKeys"), "[]team");
  EXPECT_EQ(untag.Value("aws:ResourceTag/owner"), "x");
  EXPECT_EQ(untag.Find("aws:RequestTag/team"), nullptr);

  EXPECT_THAT(PairsFor("POST", "/listTagsForResource", R"({"resourceARN":")" + arn + "\"}"),
              ElementsAre("bedrock:ListTagsForResource on " + arn));
  const Asked& list = authorizer_.asked().at(0);
  EXPECT_EQ(list.Value("aws:ResourceTag/owner"), "x");
  EXPECT_EQ(list.Find("aws:ResourceTag/team"), nullptr);
  EXPECT_EQ(list.Find("aws:TagKeys"), nullptr);
}

TEST_F(ControlAuthzTest, DeniedCreateWritesNothing) {
  authorizer_.deny = [](const Asked&) { return true; };
  ExpectDenied(Call("POST", "/inference-profiles", CreateBody("denied")));
  EXPECT_EQ(StoredCount(), 0u);

  // Denying only the tagging check of a tagged create also writes nothing.
  authorizer_.deny = [](const Asked& a) { return a.action == "bedrock:TagResource"; };
  ExpectDenied(Call("POST", "/inference-profiles",
                    CreateBody("denied", R"([{"key":"team","value":"ml"}])")));
  EXPECT_EQ(StoredCount(), 0u);
  // ... and denying only the source check too.
  authorizer_.deny = [](const Asked& a) { return a.resource == kHaikuSystemArn; };
  ExpectDenied(Call("POST", "/inference-profiles", CreateBody("denied")));
  EXPECT_EQ(StoredCount(), 0u);

  authorizer_.deny = nullptr;  // the same requests pass once allowed
  EXPECT_EQ(Call("POST", "/inference-profiles", CreateBody("denied")).status, 201u);
  EXPECT_EQ(StoredCount(), 1u);
}

TEST_F(ControlAuthzTest, DeniedDeleteAndTagWriteNothing) {
  std::string arn = MakeProfile("kept", {{"team", "ml"}});
  Tags before = StoredTags(arn);
  authorizer_.deny = [](const Asked&) { return true; };
  ExpectDenied(Call("DELETE", "/inference-profiles/" + UriEncode(arn)));
  ExpectDenied(Call("POST", "/tagResource",
                    R"({"resourceARN":")" + arn + R"(","tags":[{"key":"team","value":"x"}]})"));
  ExpectDenied(
      Call("POST", "/untagResource", R"({"resourceARN":")" + arn + R"(","tagKeys":["team"]})"));
  EXPECT_EQ(StoredCount(), 1u);
  EXPECT_EQ(StoredTags(arn), before);
  ExpectDenied(Call("POST", "/listTagsForResource", R"({"resourceARN":")" + arn + "\"}"));
  ExpectDenied(Call("GET", "/inference-profiles/" + UriEncode(arn)));
  ExpectDenied(Call("GET", "/inference-profiles"));
  ExpectDenied(Call("GET", "/foundation-models"));
  ExpectDenied(Call("GET", std::string("/foundation-models/") + kHaikuModel));
}

TEST_F(ControlAuthzTest, DeniedGetOfAMissingProfileIsAccessDeniedNotNotFound) {
  const std::string missing = "zzzzzzzzzzzz";
  EXPECT_EQ(Call("GET", "/inference-profiles/" + missing).status, 404u);  // when allowed
  authorizer_.deny = [](const Asked&) { return true; };
  authorizer_.Clear();
  ExpectDenied(Call("GET", "/inference-profiles/" + missing));
  ASSERT_EQ(authorizer_.asked().size(), 1u);
  EXPECT_EQ(authorizer_.asked()[0].resource, kAppArnPrefix + missing);
  EXPECT_THAT(authorizer_.asked()[0].context, IsEmpty());
  ExpectDenied(Call("DELETE", "/inference-profiles/" + missing));
  ExpectDenied(Call("POST", "/tagResource",
                    std::string(R"({"resourceARN":")") + kAppArnPrefix + missing +
                        R"(","tags":[{"key":"a","value":"b"}]})"));
}

}  // namespace
}  // namespace bp::api::control
