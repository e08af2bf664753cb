#include "testing/testing.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bp::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bp-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

FakeClock::FakeClock(std::chrono::system_clock::time_point start) : start_(start) {}

std::chrono::system_clock::time_point FakeClock::Now() const {
  return start_ + std::chrono::milliseconds(offset_ms_.load());
}

std::chrono::steady_clock::time_point FakeClock::SteadyNow() const {
  return std::chrono::steady_clock::time_point(std::chrono::milliseconds(offset_ms_.load()));
}

void FakeClock::Advance(std::chrono::milliseconds delta) { offset_ms_ += delta.count(); }

uint64_t SeededRandom::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  state_ ^= state_ << 13;
  state_ ^= state_ >> 7;
  state_ ^= state_ << 17;
  return state_;
}

std::filesystem::path SourceDir() {
  const char* dir = std::getenv("BP_SOURCE_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::current_path();
}

std::filesystem::path SharedDir() {
  const char* dir = std::getenv("BP_SHARED_DIR");
  return dir ? std::filesystem::path(dir) : SourceDir() / ".." / "shared";
}

std::string ReadFileOrDie(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace bp::testing
