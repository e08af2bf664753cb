#include "core/sha256.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace bp {
namespace {

// FIPS 180-2 / NIST CSRC examples.
TEST(Sha256Test, KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, DigestBytesAndHexAgree) {
  Sha256Digest d = Sha256("abc");
  EXPECT_EQ(d[0], 0xba);
  EXPECT_EQ(d[31], 0xad);
  EXPECT_EQ(HexEncode(d), Sha256Hex("abc"));
  // Embedded NUL bytes are data, not terminators.
  EXPECT_NE(Sha256Hex(std::string("a\0b", 3)), Sha256Hex("a"));
}

TEST(Sha256Test, HexEncodeIsLowerCaseTwoDigitsAByte) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(HexEncode(bytes), "000fa0ff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(Sha256Test, IsSha256HexAcceptsExactlyWhatSha256HexReturns) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("x")));
  EXPECT_FALSE(IsSha256Hex(""));
  EXPECT_FALSE(IsSha256Hex(Sha256Hex("x").substr(1)));  // 63 digits
  EXPECT_FALSE(IsSha256Hex(Sha256Hex("x") + "0"));      // 65 digits
  std::string upper = Sha256Hex("abc");
  upper[0] = 'B';
  EXPECT_FALSE(IsSha256Hex(upper));
  std::string not_hex = Sha256Hex("abc");
  not_hex[10] = 'g';
  EXPECT_FALSE(IsSha256Hex(not_hex));
}

// Each thread keeps its own digest context; concurrent callers must agree.
TEST(Sha256Test, ConcurrentUseAgrees) {
  const std::string expected = Sha256Hex("data");
  std::vector<std::thread> threads;
  std::vector<std::string> got(4);
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&got, i] {
      for (int n = 0; n < 200; ++n) got[i] = Sha256Hex("data");
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& g : got) EXPECT_EQ(g, expected);
}

}  // namespace
}  // namespace bp
