#include "server/runtime_snapshot.h"

#include <memory>
#include <string>

#include "api/fake_response_stream.h"
#include "server/snapshot_test_util.h"
#include "testing/testing.h"

namespace bp::server {
namespace {

using api::testing::FakeResponseStream;
using api::testing::ManualLoop;
using testing::ConfigText;
using ::testing::HasSubstr;
using testing::Principal;

constexpr char kAliceKey[] = "AKIAALICE00000000001";
constexpr char kBobKey[] = "AKIABOB0000000000001";

class RuntimeSnapshotTest : public testing::SnapshotFixture {
 protected:
  // Sends `request` through `handler`; the answer is complete once
  // RunLoop(stream) ran the stream's posted work.
  std::shared_ptr<FakeResponseStream> Send(SnapshotHandler& handler, http::Request request) {
    auto stream = std::make_shared<FakeResponseStream>();
    handler.Handle(std::move(request), stream);
    return stream;
  }
  static void RunLoop(FakeResponseStream& stream) {
    static_cast<ManualLoop&>(stream.loop()).RunAll();
  }
};

TEST_F(RuntimeSnapshotTest, AStreamStartedBeforeASwapFinishesOnTheSnapshotItStartedWith) {
  auto a = Load(ConfigText(Principal("alice", kAliceKey)));
  auto b = Load(ConfigText(Principal("bob", kBobKey)));  // alice removed, bob added
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Bootstrap(*a);
  SnapshotHandler handler(Build(a));
  std::weak_ptr<const RuntimeSnapshot> first = handler.Current();

  auto in_flight = Send(handler, Signed("alice", kAliceKey, /*stream=*/true));
  EXPECT_EQ(in_flight->answers, 0);  // admitted; the model has not answered yet

  handler.Publish(Build(b, handler.Current().get()));
  EXPECT_FALSE(first.expired()) << "the stream in flight holds the snapshot it started with";

  // New requests see the new principals at once.
  auto refused = Send(handler, Signed("alice", kAliceKey));
  EXPECT_EQ(refused->response.status, 403u);
  EXPECT_EQ(refused->Header("x-amzn-errortype").substr(0, 27), "UnrecognizedClientException");
  auto allowed = Send(handler, Signed("bob", kBobKey));
  RunLoop(*allowed);
  EXPECT_EQ(allowed->response.status, 200u) << allowed->response.body;
  EXPECT_THAT(allowed->response.body, HasSubstr("one two three"));

  // The old stream completes on its old router and backends, then lets go.
  RunLoop(*in_flight);
  EXPECT_TRUE(in_flight->finished);
  EXPECT_EQ(in_flight->answers, 1);
  EXPECT_EQ(in_flight->response.status, 200u);
  EXPECT_THAT(in_flight->response.body, HasSubstr("three"));
  EXPECT_THAT(in_flight->response.body, HasSubstr("messageStop"));
  EXPECT_TRUE(first.expired()) << "the old snapshot goes with its last request";
}

TEST_F(RuntimeSnapshotTest, APolicyChangeAppliesToTheNextRequest) {
  // Before: alice may call InvokeModel (Converse) but not stream.
  auto a = Load(ConfigText(Principal("alice", kAliceKey, "bedrock:InvokeModel")));
  auto b = Load(ConfigText(Principal("alice", kAliceKey)));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Bootstrap(*a);
  SnapshotHandler handler(Build(a));

  auto denied = Send(handler, Signed("alice", kAliceKey, /*stream=*/true));
  EXPECT_EQ(denied->response.status, 403u);
  EXPECT_THAT(denied->response.body, HasSubstr("bedrock:InvokeModelWithResponseStream"));

  handler.Publish(Build(b, handler.Current().get()));
  auto streamed = Send(handler, Signed("alice", kAliceKey, /*stream=*/true));
  RunLoop(*streamed);
  EXPECT_EQ(streamed->response.status, 200u) << streamed->response.body;
  EXPECT_TRUE(streamed->finished);
}

TEST_F(RuntimeSnapshotTest, RegionHealthCarriesOverToTheNextSnapshot) {
  // eu-central-1 is down; one failure opens its circuit.
  auto a = Load(ConfigText(Principal("alice", kAliceKey), ", faults = { outage = true }",
                           "failure_threshold = 1"));
  auto b = Load(ConfigText(Principal("alice", kAliceKey), "", "failure_threshold = 1"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Bootstrap(*a);
  SnapshotHandler handler(Build(a));
  auto answered = Send(handler, Signed("alice", kAliceKey));
  RunLoop(*answered);
  EXPECT_EQ(answered->response.status, 200u) << answered->response.body;
  EXPECT_NE(answered->Header("x-bedrock-profiles-region"), "eu-central-1");

  auto open_in = [](const RuntimeSnapshot& snapshot, const std::string& region) {
    for (const routing::RegionHealth& h : snapshot.router().Health()) {
      if (h.region == region) return h.open;
    }
    ADD_FAILURE() << "no region " << region;
    return false;
  };
  auto carried = Build(b, handler.Current().get());
  auto fresh = Build(b, nullptr);
  ASSERT_NE(carried, nullptr);
  ASSERT_NE(fresh, nullptr);
  EXPECT_TRUE(open_in(*carried, "eu-central-1"));
  EXPECT_FALSE(open_in(*carried, "eu-west-1"));
  EXPECT_FALSE(open_in(*fresh, "eu-central-1"));
}

TEST_F(RuntimeSnapshotTest, ABackendThisBuildLacksFailsTheBuild) {
  auto a = Load(ConfigText(Principal("alice", kAliceKey)));
  ASSERT_NE(a, nullptr);
  config::Config bad = *a;
  bad.regions.front().backend = "bedrock";
  EXPECT_THAT(RuntimeSnapshot::Build(std::make_shared<const config::Config>(std::move(bad)),
                                     *environment_, nullptr),
              bp::testing::StatusIs(ErrorCode::kValidation));
}

}  // namespace
}  // namespace bp::server
