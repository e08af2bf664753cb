#include "testing/testing.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdlib>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>

#include <unistd.h>

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

int ClosedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path SourceDir() {
  const char* dir = std::getenv("BP_SOURCE_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::current_path();
}

std::filesystem::path TestDataDir() { return SourceDir() / "tests" / "testdata"; }

std::vector<std::filesystem::path> ListCaseFiles(const std::filesystem::path& dir,
                                                 std::string_view extension) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == extension) {
      out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::filesystem::path> ListCaseDirs(const std::filesystem::path& dir,
                                                std::string_view marker) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec) && std::filesystem::exists(it->path() / marker, type_ec)) {
      out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectCases(const std::vector<std::filesystem::path>& cases,
                 const std::filesystem::path& dir) {
  EXPECT_FALSE(cases.empty())
      << "no golden cases in " << dir
      << ": the data folder is missing or empty (see tests/testdata/README.md)";
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
