#pragma once
// The HTTP Date header value (RFC 7231 §7.1.1.1 IMF-fixdate), which the JS
// SDK samples on every response to correct its signing clock. Private to
// bp_http.

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace bp::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" (always 29 characters for years 0..9999).
std::string FormatHttpDate(std::chrono::system_clock::time_point t);

// FormatHttpDate(clock.Now()), cached per thread for the current second so the
// hot path formats at most once a second per loop. The view stays valid until
// the next call on the same thread.
std::string_view CachedHttpDate(const Clock& clock);

}  // namespace bp::http
