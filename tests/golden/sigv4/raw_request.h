#pragma once
// The raw-HTTP text files of the SigV4 test suite (request.txt,
// *-signed-request.txt): request line, "Name:value" header lines (a line
// starting with a space or tab continues the previous value), then an empty
// line and the body when there is one. Paths and queries are taken verbatim
// (the suite's paths are not percent-encoded).

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace bp::golden {

struct RawRequest {
  std::string method;
  std::string target;                     // everything between the method and " HTTP/1.1"
  std::vector<std::string> header_lines;  // verbatim, continuation lines included
  std::string body;

  std::string_view path() const;
  std::string_view query() const;
  // Lower-case names; a continuation line is joined to its header's value
  // with one space (canonicalisation folds the run).
  http::Headers headers() const;
  // The http::Request a server would hand to the authenticator.
  http::Request ToHttpRequest() const;
  // Request line, header lines, empty line, body: the *-signed-request.txt form.
  std::string Render() const;
};

// REQUIRES: `text` holds at least a request line; aborts the test otherwise.
RawRequest ParseRawRequest(std::string_view text);

}  // namespace bp::golden
