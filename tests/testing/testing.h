#pragma once
// Shared test helpers: status matchers, temporary directories, a fake clock,
// a seeded Random, and paths to source/shared data.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/status.h"

namespace bp::testing {

MATCHER(IsOk, std::string("is OK")) {
  if (arg.ok()) return true;
  *result_listener << "status: " << arg.status().ToString();
  return false;
}

// Matches a failed Status/Result with the given code.
MATCHER_P(StatusIs, code, std::string("fails with ") + std::string(ErrorCodeName(code))) {
  ::bp::Status s = arg.status();
  if (s.ok()) {
    *result_listener << "is OK";
    return false;
  }
  *result_listener << "status: " << ErrorCodeName(s.code()) << ": " << s.ToString();
  return s.code() == code;
}

// Deletes the directory tree on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Time that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1767225600)));
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  void Advance(std::chrono::milliseconds delta);

 private:
  std::atomic<int64_t> offset_ms_{0};
  const std::chrono::system_clock::time_point start_;
};

// Deterministic xorshift sequence.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed ? seed : 301) {}
  uint64_t Next() override;

 private:
  std::mutex mu_;
  uint64_t state_;
};

// A port on 127.0.0.1 that nothing listens on (bound, read and closed
// again), for a connection that must be refused.
int ClosedLoopbackPort();

// The repository root (BP_SOURCE_DIR, set by ctest, else the working
// directory) and the golden data copied into it (tests/testdata, see its
// README.md).
std::filesystem::path SourceDir();
std::filesystem::path TestDataDir();
std::string ReadFileOrDie(const std::filesystem::path& path);

// The cases of a golden folder, sorted by path: the regular files whose name
// ends in `extension` (".json"), or, when `marker` is given, the
// subfolders that contain a file of that name ("request.txt"). Never throws:
// a missing folder yields an empty list; pair it with ExpectCases.
std::vector<std::filesystem::path> ListCaseFiles(const std::filesystem::path& dir,
                                                 std::string_view extension);
std::vector<std::filesystem::path> ListCaseDirs(const std::filesystem::path& dir,
                                                std::string_view marker);

// A test failure naming `dir` when `cases` is empty (the data folder is
// missing or was not copied), so a suite never passes by finding nothing.
void ExpectCases(const std::vector<std::filesystem::path>& cases, const std::filesystem::path& dir);

}  // namespace bp::testing

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::bp::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::bp::testing::IsOk())
