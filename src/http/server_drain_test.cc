// Graceful drain: Shutdown() stops accepting, lets in-flight work finish,
// closes idle connections, and Run() returns. Signals: SIGTERM drains,
// SIGHUP calls ServerOptions::on_hangup and serving goes on.

#include <atomic>
#include <csignal>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "http/test_clients.h"

namespace bp::http::testing {
namespace {

class DrainTest : public ServerTest {
 protected:
  bool WaitUntilRefused() {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      RawClient probe;
      if (!probe.Connect(port())) return true;
    }
    return false;
  }

  bool RunReturned() { return run_.wait_for(kDeadline) == std::future_status::ready; }
};

TEST_F(DrainTest, Http1StreamInFlightFinishesThenRunReturns) {
  StartServer();
  RawClient idle;
  ASSERT_TRUE(idle.Connect(port()));
  idle.Send("GET /echo HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(idle.ReadResponse());  // now an idle keep-alive connection

  RawClient busy;
  ASSERT_TRUE(busy.Connect(port()));
  busy.Send("GET /gated HTTP/1.1\r\n\r\n");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);

  server_->Shutdown();
  EXPECT_TRUE(idle.WaitForClose());  // idle keep-alive: closed at once
  EXPECT_TRUE(WaitUntilRefused());   // no longer accepting
  EXPECT_EQ(run_.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);

  std::vector<std::string> seen;
  auto r = busy.ReadResponse([&](const std::string& chunk) {
    seen.push_back(chunk);
    if (held) TestHandler::ReleaseGate(std::move(held), "second");
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "firstsecond");
  EXPECT_TRUE(busy.WaitForClose());
  EXPECT_TRUE(RunReturned());
}

TEST_F(DrainTest, Http1ResponseAfterShutdownSaysConnectionClose) {
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /hold HTTP/1.1\r\n\r\n");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  server_->Shutdown();
  ASSERT_TRUE(WaitUntilRefused());
  TestHandler::RunOnLoop(*held, [&] { held->Respond(Response{.status = 204}); });
  TestHandler::DropOnLoop(std::move(held));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204u);
  ASSERT_NE(r->Find("connection"), nullptr);
  EXPECT_EQ(*r->Find("connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(RunReturned());
}

TEST_F(DrainTest, Http2StreamInFlightFinishesAfterGoaway) {
  StartServer();
  H2Client c;
  ASSERT_TRUE(c.Connect(port()));
  const int32_t id = c.Submit("GET", "/gated", "h");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  server_->Shutdown();
  ASSERT_TRUE(c.PumpUntil([&] { return c.goaway_received(); }));
  EXPECT_TRUE(WaitUntilRefused());
  TestHandler::ReleaseGate(std::move(held), "second");
  ASSERT_TRUE(c.WaitStreamClosed(id));
  EXPECT_EQ(c.stream(id).body(), "firstsecond");
  EXPECT_EQ(c.stream(id).error_code, 0u);
  EXPECT_FALSE(c.PumpUntil([] { return false; }));
  EXPECT_TRUE(c.connection_closed());
  EXPECT_TRUE(RunReturned());
}

TEST_F(DrainTest, DrainTimeoutForceClosesWhatRemains) {
  options_.drain_timeout = std::chrono::milliseconds(100);
  StartServer();
  RawClient c;
  ASSERT_TRUE(c.Connect(port()));
  c.Send("GET /hold HTTP/1.1\r\n\r\n");
  auto held = handler_.WaitHeld();
  ASSERT_NE(held, nullptr);
  server_->Shutdown();
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(RunReturned());
  EXPECT_TRUE(held->Closed());  // loops have stopped: safe to ask from here
  held.reset();
}

TEST_F(DrainTest, ShutdownWithoutConnectionsReturnsPromptly) {
  StartServer();
  server_->Shutdown();
  EXPECT_TRUE(RunReturned());
  RawClient c;
  EXPECT_FALSE(c.Connect(port()));
}

TEST_F(DrainTest, SighupCallsTheHangupHookAndKeepsServingUntilSigterm) {
  std::atomic<int> hangups{0};
  options_.on_hangup = [&hangups] { ++hangups; };
  server_ = Server::Create(options_, handler_, clock_, random_);
  ASSERT_TRUE(server_->Listen().ok());
  server_->CatchSignals();  // before the first kill(): the default action would end the test
  run_ = std::async(std::launch::async, [this] { server_->Run(/*handle_signals=*/true); });

  for (int expected = 1; expected <= 2; ++expected) {  // the wait is re-armed after each
    ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (hangups.load() < expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_EQ(hangups.load(), expected);
    RawClient c;
    ASSERT_TRUE(c.Connect(port()));
    c.Send("GET /echo HTTP/1.1\r\n\r\n");
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
  }
  EXPECT_EQ(run_.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);

  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_TRUE(RunReturned());
  run_.get();
  EXPECT_EQ(hangups.load(), 2);
}

}  // namespace
}  // namespace bp::http::testing
