#include "http/sniff.h"

#include <algorithm>

namespace bp::http {

Protocol SniffProtocol(std::string_view first_bytes) {
  const size_t n = std::min(first_bytes.size(), kHttp2Preface.size());
  if (first_bytes.substr(0, n) != kHttp2Preface.substr(0, n)) return Protocol::kHttp1;
  return n == kHttp2Preface.size() ? Protocol::kHttp2 : Protocol::kUndecided;
}

}  // namespace bp::http
