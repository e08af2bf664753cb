// Binding of `storage = { backend = "sqlite" | "postgres", url = "..." |
// url_env = "VAR" }`: where serve keeps the profiles (docs/config.md
// "Storage"). A config file is read by many and often committed, so a url
// written in it must not carry a password: that belongs in the variable
// url_env names, in PGPASSWORD or in ~/.pgpass (libpq reads both). The url
// itself is never copied into a diagnostic.

#include "config/binder.h"
#include "config/validate.h"

namespace bp::config {

namespace {

constexpr std::string_view kStorageKeys[] = {"backend", "url", "url_env"};
constexpr std::string_view kSchemes[] = {"postgresql://", "postgres://"};

// The part after the scheme, or nullopt when `url` has neither scheme.
std::optional<std::string_view> AfterScheme(std::string_view url) {
  for (std::string_view scheme : kSchemes) {
    if (url.substr(0, scheme.size()) == scheme) return url.substr(scheme.size());
  }
  return std::nullopt;
}

// postgresql://user:PASSWORD@host/db or ...?password=...
bool HoldsPassword(std::string_view rest) {
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return true;
  }
  const size_t query = rest.find('?');
  if (query == std::string_view::npos) return false;
  std::string_view params = rest.substr(query + 1);
  while (!params.empty()) {
    const size_t amp = params.find('&');
    if (params.substr(0, amp).substr(0, 9) == "password=") return true;
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

StorageConfig BindStorage(const ast::Entry& entry, const BindContext& context,
                          DiagnosticSink& sink) {
  StorageConfig out;
  const ast::Value& value = entry.value;
  if (!ExpectKind(value, ast::Kind::kObject, "storage", sink)) return out;
  CheckKeys(value.entries, kStorageKeys, "storage", sink);
  const ast::Value* backend = StringMember(value.entries, "backend", "storage", {}, false, sink);
  if (backend != nullptr) {
    if (backend->text == "postgres") {
      out.backend = StorageConfig::Backend::kPostgres;
    } else if (backend->text != "sqlite") {
      sink.Error(backend->location, "storage.backend: '" + backend->text +
                                        "' is not a storage backend; expected \"sqlite\" (the "
                                        "state directory, the default) or \"postgres\"");
      return out;
    }
  }
  const ast::Value* url = StringMember(value.entries, "url", "storage", {}, false, sink);
  const ast::Value* url_env = StringMember(value.entries, "url_env", "storage", {}, false, sink);
  if (out.backend == StorageConfig::Backend::kSqlite) {
    for (const ast::Value* given : {url, url_env}) {
      if (given == nullptr) continue;
      sink.Error(given->location, std::string("storage.") + (given == url ? "url" : "url_env") +
                                      ": only for backend = \"postgres\" (sqlite keeps the "
                                      "profiles in the state directory)");
    }
    return out;
  }
  if (url != nullptr && url_env != nullptr) {
    sink.Error(url_env->location, "storage: give either url or url_env, not both");
    return out;
  }
  if (url != nullptr) {
    std::optional<std::string_view> rest = AfterScheme(url->text);
    if (!rest) {
      sink.Error(url->location,
                 "storage.url: expected a postgresql:// URL (postgresql://user@host:5432/db)");
    } else if (HoldsPassword(*rest)) {
      sink.Error(url->location,
                 "storage.url: holds a password; a config file is no place for it: put the "
                 "password in url_env or PGPASSWORD (or ~/.pgpass)");
    } else {
      out.url = url->text;
    }
    return out;
  }
  if (url_env != nullptr) {
    if (!sink.Check(CheckEnvVarName(url_env->text), url_env->location, "storage.url_env")) {
      return out;
    }
    std::optional<std::string> from_env = context.env ? context.env(url_env->text) : std::nullopt;
    if (!from_env || from_env->empty()) {
      sink.Error(url_env->location, "storage.url_env: environment variable '" + url_env->text +
                                        (from_env ? "' is empty" : "' is not set"));
      return out;
    }
    // A URL or libpq's key=value form; its password is welcome here.
    if (!AfterScheme(*from_env) && from_env->find('=') == std::string::npos) {
      sink.Error(url_env->location,
                 "storage.url_env: environment variable '" + url_env->text +
                     "' holds neither a postgresql:// URL nor key=value connection settings");
      return out;
    }
    out.url = std::move(*from_env);
  }
  // Neither: libpq's PG* environment variables apply at connect.
  return out;
}

}  // namespace bp::config
