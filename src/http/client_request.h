#pragma once
// The request side shared by http::Client and the upstream client: what a
// request may hold, and its HTTP/1.1 head as written. Private to bp_http.

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace bp::http {

// Header values and targets: visible bytes, spaces (when `allow_space`) and
// tabs; never CR, LF, NUL or other control bytes, which would split the
// message.
bool IsSafeRequestText(std::string_view s, bool allow_space);

// A request that can be written without splitting the message: the method
// is a token, the target starts with '/' and holds no spaces or control
// bytes, header names are tokens and values hold no CR, LF, NUL or other
// control bytes but tab, no hop-by-hop framing field is given (connection,
// keep-alive, transfer-encoding, te, upgrade, proxy-connection: the client
// owns the framing), and a content-length, when given, is the body's.
// Errors: kValidation naming the offending part.
Status CheckClientRequest(const Request& request);

// Appends the request line and header fields (ending in the blank line) to
// `out`: the target after `base_path` (Endpoint::base_path), the headers
// exactly as given and in order, then `host` (`authority`, from
// Endpoint::Authority()) and `user-agent`
// (when `user_agent` is not empty) unless present, `content-length` unless
// present when the body is non-empty or the method is POST, PUT or PATCH,
// and `connection: close` unless `keep_alive`. REQUIRES:
// CheckClientRequest(request) is OK.
void AppendRequestHead(std::string_view base_path, std::string_view authority,
                       std::string_view user_agent, const Request& request, bool keep_alive,
                       std::string& out);

}  // namespace bp::http
