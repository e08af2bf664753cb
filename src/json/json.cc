#include "json/json.h"

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_stack.hpp>

namespace bp::json {

namespace {
std::string Member(std::string_view path, std::string_view key) {
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

boost::json::parse_options Options();

Result<Value> ParseWith(std::string_view text, boost::json::storage_ptr storage) {
  boost::system::error_code ec;
  try {
    Value v = boost::json::parse(text, ec, std::move(storage), Options());
    if (ec) return ValidationError("malformed JSON: " + ec.message());
    return v;
  } catch (const std::exception& e) {  // allocation failures and the like
    return ValidationError(std::string("malformed JSON: ") + e.what());
  }
}

boost::json::parse_options Options() {
  boost::json::parse_options options;
  options.max_depth = 64;
  return options;
}

// basic_parser handler: builds the document in `outer` like Boost.JSON's own
// handler does, except for the elements of the root member `key`, which are
// built one at a time in `element` (over a reused arena) and handed out.
class StreamingHandler {
 public:
  static constexpr size_t max_object_size = boost::json::object::max_size();
  static constexpr size_t max_array_size = boost::json::array::max_size();
  static constexpr size_t max_key_size = boost::json::string::max_size();
  static constexpr size_t max_string_size = boost::json::string::max_size();

  StreamingHandler() : arena_(arena_buffer_.data(), arena_buffer_.size()) {}

  // Before each document: what to stream, and where its elements go.
  void Begin(std::string_view key, const ElementSink& sink) {
    key_ = key;
    sink_ = &sink;
    key_prefix_.clear();
    depth_ = 0;
    index_ = 0;
    key_matched_ = false;
    streaming_ = false;
    in_element_ = false;
  }

  Value Release() { return outer_.release(); }

  // After each document, parsed or not: nothing of it stays referenced (a
  // handler is reused by its thread's next parse).
  void Clear() {
    outer_.reset();
    element_.reset();
    arena_.release();
  }

  bool on_document_begin(boost::system::error_code&) {
    outer_.reset(boost::json::make_shared_resource<boost::json::monotonic_resource>());
    return true;
  }
  bool on_document_end(boost::system::error_code&) { return true; }

  bool on_object_begin(boost::system::error_code&) {
    BeginValue();
    ++depth_;
    return true;
  }
  bool on_object_end(size_t n, boost::system::error_code&) {
    --depth_;
    if (InElement()) {
      element_.push_object(n);
      if (depth_ == kElementDepth) EndElement();
    } else {
      outer_.push_object(n);
    }
    return true;
  }
  bool on_array_begin(boost::system::error_code&) {
    if (!streaming_ && depth_ == 1 && key_matched_) {
      streaming_ = true;  // the array under `key`: its elements are streamed
      key_matched_ = false;
      index_ = 0;
      ++depth_;
      return true;
    }
    BeginValue();
    ++depth_;
    return true;
  }
  bool on_array_end(size_t n, boost::system::error_code&) {
    --depth_;
    if (streaming_ && depth_ == 1) {
      streaming_ = false;
      outer_.push_array(0);  // the member stays, as an empty array
    } else if (InElement()) {
      element_.push_array(n);
      if (depth_ == kElementDepth) EndElement();
    } else {
      outer_.push_array(n);
    }
    return true;
  }

  bool on_key_part(boost::json::string_view s, size_t, boost::system::error_code&) {
    if (InElement()) {
      element_.push_chars(s);
    } else {
      outer_.push_chars(s);
      if (depth_ == 1) key_prefix_.append(s.data(), s.size());
    }
    return true;
  }
  bool on_key(boost::json::string_view s, size_t, boost::system::error_code&) {
    if (InElement()) {
      element_.push_key(s);
      return true;
    }
    outer_.push_key(s);
    if (depth_ == 1) {
      key_matched_ = key_prefix_.empty() ? std::string_view(s.data(), s.size()) == key_
                                         : key_prefix_ + std::string(s.data(), s.size()) == key_;
      key_prefix_.clear();
    }
    return true;
  }

  bool on_string_part(boost::json::string_view s, size_t, boost::system::error_code&) {
    BeginValue();
    Stack().push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, size_t, boost::system::error_code&) {
    BeginValue();
    Stack().push_string(s);
    return EndScalar();
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t i, boost::json::string_view, boost::system::error_code&) {
    BeginValue();
    Stack().push_int64(i);
    return EndScalar();
  }
  bool on_uint64(uint64_t u, boost::json::string_view, boost::system::error_code&) {
    BeginValue();
    Stack().push_uint64(u);
    return EndScalar();
  }
  bool on_double(double d, boost::json::string_view, boost::system::error_code&) {
    BeginValue();
    Stack().push_double(d);
    return EndScalar();
  }
  bool on_bool(bool b, boost::system::error_code&) {
    BeginValue();
    Stack().push_bool(b);
    return EndScalar();
  }
  bool on_null(boost::system::error_code&) {
    BeginValue();
    Stack().push_null();
    return EndScalar();
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  // Elements of the streamed array sit at this depth (root object = 1).
  static constexpr int kElementDepth = 2;

  bool InElement() const { return streaming_ && depth_ >= kElementDepth && in_element_; }
  boost::json::value_stack& Stack() { return InElement() ? element_ : outer_; }

  // A value starts: at the root's member level it ends a key match; as a
  // direct child of the streamed array it starts a new element.
  void BeginValue() {
    if (depth_ == 1) key_matched_ = false;
    if (streaming_ && depth_ == kElementDepth && !in_element_) {
      in_element_ = true;
      element_.reset(boost::json::storage_ptr(&arena_));
    }
  }

  bool EndScalar() {
    if (streaming_ && depth_ == kElementDepth && in_element_) EndElement();
    return true;
  }

  void EndElement() {
    in_element_ = false;
    {
      Value element = element_.release();
      (*sink_)(element, index_++);
    }
    arena_.release();  // the element is gone: reuse its memory for the next
  }

  std::string_view key_;
  const ElementSink* sink_ = nullptr;
  std::array<unsigned char, 16384> arena_buffer_;
  boost::json::monotonic_resource arena_;
  boost::json::value_stack outer_;
  boost::json::value_stack element_;
  std::string key_prefix_;  // key parts seen so far at the root level
  int depth_ = 0;           // containers open
  size_t index_ = 0;
  bool key_matched_ = false;  // the last root-level key was `key`, no value yet
  bool streaming_ = false;    // inside the array under `key`
  bool in_element_ = false;   // an element of it is being built
};

}  // namespace

Result<Value> Parse(std::string_view text) { return ParseWith(text, {}); }

namespace {

using StreamingParser = boost::json::basic_parser<StreamingHandler>;

Result<Value> ParseStreamingWith(StreamingParser& parser, std::string_view text,
                                 std::string_view key, const ElementSink& on_element) {
  StreamingHandler& handler = parser.handler();
  struct Cleared {
    StreamingHandler& handler;
    ~Cleared() { handler.Clear(); }
  } cleared{handler};
  try {
    parser.reset();
    handler.Begin(key, on_element);
    boost::system::error_code ec;
    const size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used != text.size()) ec = boost::json::error::extra_data;
    if (ec) return ValidationError("malformed JSON: " + ec.message());
    return handler.Release();
  } catch (const std::exception& e) {  // allocation failures and the like
    return ValidationError(std::string("malformed JSON: ") + e.what());
  }
}

}  // namespace

Result<Value> ParseStreamingMember(std::string_view text, std::string_view key,
                                   const ElementSink& on_element) {
  // One parser per thread, reused: the parser with its 16 KiB element arena
  // would otherwise be a large allocation per request. A parse started from
  // inside an element sink gets its own.
  thread_local std::unique_ptr<StreamingParser> reused;
  thread_local bool busy = false;
  if (busy) {
    auto own = std::make_unique<StreamingParser>(Options());
    return ParseStreamingWith(*own, text, key, on_element);
  }
  if (reused == nullptr) {
    try {
      reused = std::make_unique<StreamingParser>(Options());
    } catch (const std::exception& e) {
      return ValidationError(std::string("malformed JSON: ") + e.what());
    }
  }
  busy = true;
  struct Idle {
    ~Idle() { busy = false; }
  } idle;
  return ParseStreamingWith(*reused, text, key, on_element);
}

Result<Value> ParseInArena(std::string_view text) {
  // The document takes a few times the text; start with about that and let
  // the arena grow geometrically from there.
  const size_t first_block = std::max<size_t>(4096, text.size() * 2);
  return ParseWith(text,
                   boost::json::make_shared_resource<boost::json::monotonic_resource>(first_block));
}

std::string Serialize(const Value& value) { return boost::json::serialize(value); }

std::string_view KindName(const Value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "a value";
}

Result<const Object*> RequireObject(const Value& value, std::string_view path) {
  if (!value.is_object()) {
    return ValidationError(std::string(path) + ": expected an object, got " +
                           std::string(KindName(value)));
  }
  return &value.get_object();
}

Result<std::string> RequiredString(const Object& obj, std::string_view key, std::string_view path) {
  BP_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(obj, key, path));
  if (!v) return ValidationError(Member(path, key) + " is required");
  return std::move(*v);
}

Result<std::optional<std::string>> OptionalString(const Object& obj, std::string_view key,
                                                  std::string_view path) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) {
    return ValidationError(Member(path, key) + ": expected a string, got " +
                           std::string(KindName(*v)));
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> OptionalInt(const Object& obj, std::string_view key,
                                           std::string_view path) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (std::optional<int64_t> n = AsInt64(v)) return n;
  return ValidationError(Member(path, key) + ": expected an integer, got " +
                         std::string(KindName(*v)));
}

Result<const Array*> OptionalArray(const Object& obj, std::string_view key, std::string_view path) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr) return static_cast<const Array*>(nullptr);
  if (!v->is_array()) {
    return ValidationError(Member(path, key) + ": expected an array, got " +
                           std::string(KindName(*v)));
  }
  return &v->get_array();
}

Result<std::optional<std::vector<std::string>>> OptionalStringArray(const Object& obj,
                                                                    std::string_view key,
                                                                    std::string_view path) {
  BP_ASSIGN_OR_RETURN(const Array* array, OptionalArray(obj, key, path));
  if (array == nullptr) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  out.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    const Value& v = (*array)[i];
    if (!v.is_string()) {
      return ValidationError(Member(path, key) + "[" + std::to_string(i) +
                             "]: expected a string, got " + std::string(KindName(v)));
    }
    out.emplace_back(v.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::vector<std::string>> RequiredStringArray(const Object& obj, std::string_view key,
                                                     std::string_view path) {
  BP_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> v,
                      OptionalStringArray(obj, key, path));
  if (!v) return ValidationError(Member(path, key) + " is required");
  return std::move(*v);
}

const Value* Find(const Value* value, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    const Object* o = value != nullptr ? value->if_object() : nullptr;
    value = o != nullptr ? o->if_contains(key) : nullptr;
  }
  return value;
}

std::string_view StringOrEmpty(const Value* value) {
  const boost::json::string* s = value != nullptr ? value->if_string() : nullptr;
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

std::optional<int64_t> AsInt64(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(value->get_uint64());
  }
  return std::nullopt;
}

Status RejectUnknownKeys(const Object& obj, std::initializer_list<std::string_view> allowed,
                         std::string_view path) {
  for (const auto& member : obj) {
    std::string_view key = member.key();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return ValidationError(Member(path, key) + " is not a recognised field");
    }
  }
  return Status::Ok();
}

}  // namespace bp::json
