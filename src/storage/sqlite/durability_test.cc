// Crash tests at the storage layer: a child process opens the store, writes,
// acknowledges each OK over a pipe, and is killed with SIGKILL; the parent
// then reopens the store and checks that every acknowledged write is there,
// whole. (The end-to-end version with the real server lives in tests/.)

#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "storage/profile_store_contract.h"
#include "storage/sqlite/sqlite_profile_store.h"
#include "testing/testing.h"

namespace bp::storage {
namespace {

using ::bp::testing::StatusIs;
using ::testing::HasSubstr;

std::string ProfileId(int i) { return "k" + std::to_string(100000000000 + i).substr(1); }

// Runs in the forked child; never returns. Exit codes say what failed.
[[noreturn]] void ChildCreates(const std::filesystem::path& state_dir, int ack_fd, int count) {
  auto store = SqliteProfileStore::Open(state_dir);
  if (!store.ok()) _exit(10);
  for (int i = 0; i < count; ++i) {
    if (!(*store)->Create({.profile = SampleProfile(ProfileId(i))}).ok()) _exit(11);
    const char ack = 'A';
    if (write(ack_fd, &ack, 1) != 1) _exit(12);
  }
  for (;;) pause();  // wait to be killed, holding the store open
}

class KillDashNineTest : public ::testing::Test {
 protected:
  // Forks a child running ChildCreates(count), reads `acks` acknowledgements,
  // SIGKILLs it and reaps it. Returns false (with a test failure) if the child
  // died on its own first.
  bool RunAndKill(int count, int acks) {
    int fds[2];
    if (pipe(fds) != 0) {
      ADD_FAILURE() << "pipe failed";
      return false;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      return false;
    }
    if (pid == 0) {
      close(fds[0]);
      ChildCreates(state_dir_, fds[1], count);
    }
    close(fds[1]);
    int received = 0;
    char ack;
    while (received < acks && read(fds[0], &ack, 1) == 1) ++received;
    close(fds[0]);
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    EXPECT_EQ(received, acks) << "child exited early, status " << wstatus;
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << wstatus;
    return received == acks;
  }

  ::bp::testing::TempDir temp_dir_;
  const std::filesystem::path state_dir_ = temp_dir_.path() / "state";
};

TEST_F(KillDashNineTest, AcknowledgedCreateSurvives) {
  ASSERT_TRUE(RunAndKill(/*count=*/1, /*acks=*/1));
  auto store = SqliteProfileStore::Open(state_dir_);  // the lock died with the child
  ASSERT_OK(store);
  auto got = (*store)->Get(ProfileId(0));
  ASSERT_OK(got);
  EXPECT_EQ(*got, SampleProfile(ProfileId(0)));
}

TEST_F(KillDashNineTest, KilledMidBurstLosesNoAcknowledgedWriteAndLeavesNoPartialOne) {
  constexpr int kCount = 400;
  constexpr int kAcks = 25;
  ASSERT_TRUE(RunAndKill(kCount, kAcks));
  auto store = SqliteProfileStore::Open(state_dir_);  // also runs quick_check
  ASSERT_OK(store);
  for (int i = 0; i < kAcks; ++i) EXPECT_OK((*store)->Get(ProfileId(i))) << i;
  auto listed = (*store)->List();
  ASSERT_OK(listed);
  EXPECT_GE(listed->size(), static_cast<size_t>(kAcks));
  for (const ProfileRecord& p : *listed) EXPECT_EQ(p, SampleProfile(p.id));  // whole records
}

TEST_F(KillDashNineTest, LockHeldByAnotherProcessUntilItDies) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    ChildCreates(state_dir_, fds[1], 1);
  }
  close(fds[1]);
  char ack = 0;
  ASSERT_EQ(read(fds[0], &ack, 1), 1);
  auto refused = SqliteProfileStore::Open(state_dir_);
  EXPECT_THAT(refused, StatusIs(ErrorCode::kResourceInUse));
  EXPECT_THAT(refused.status().message(), HasSubstr("pid " + std::to_string(pid)));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(fds[0]);
  EXPECT_OK(SqliteProfileStore::Open(state_dir_));
}

}  // namespace
}  // namespace bp::storage
