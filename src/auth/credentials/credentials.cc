#include "auth/credentials/credentials.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace bp::auth::credentials {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status IniError(std::string_view file, int line, std::string_view what) {
  return ValidationError(std::string(file) + ":" + std::to_string(line) + ": " + std::string(what));
}

// Cuts a " #..." / " ;..." comment off a value. Secrets and tokens never
// contain whitespace, so a comment marker after whitespace cannot be data.
std::string_view StripInlineComment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') &&
        std::isspace(static_cast<unsigned char>(value[i - 1]))) {
      return Trim(value.substr(0, i));
    }
  }
  return value;
}

// Parser state carried from line to line.
struct IniState {
  IniFile file;
  IniSection* section = nullptr;
  bool last_value_empty = false;  // the previous key opened a sub-settings block
};

Status ParseSectionHeader(std::string_view trimmed, std::string_view file_name, int line,
                          IniState& state) {
  size_t close = trimmed.find(']');
  if (close == std::string_view::npos) {
    return IniError(file_name, line, "section header '" + std::string(trimmed) + "' lacks ']'");
  }
  std::string_view name = Trim(trimmed.substr(1, close - 1));
  if (name.empty()) return IniError(file_name, line, "empty section name '[]'");
  std::string_view after = Trim(trimmed.substr(close + 1));
  if (!after.empty() && after.front() != '#' && after.front() != ';') {
    return IniError(file_name, line,
                    "unexpected text '" + std::string(after) + "' after the section header");
  }
  auto [it, inserted] = state.file.try_emplace(std::string(name));
  if (inserted) it->second.line = line;
  state.section = &it->second;
  state.last_value_empty = false;
  return Status::Ok();
}

Status ParseLine(std::string_view raw, std::string_view file_name, int line, IniState& state) {
  std::string_view trimmed = Trim(raw);
  if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == ';') return Status::Ok();
  if (trimmed.front() == '[') return ParseSectionHeader(trimmed, file_name, line, state);
  bool indented = std::isspace(static_cast<unsigned char>(raw.front()));
  if (indented && state.last_value_empty) return Status::Ok();  // sub-setting
  size_t eq = trimmed.find('=');
  if (eq == std::string_view::npos) {
    return IniError(file_name, line,
                    "expected `key = value`, a [section] header or a comment, found '" +
                        std::string(trimmed.substr(0, 40)) + "'");
  }
  std::string key = Lower(Trim(trimmed.substr(0, eq)));
  if (key.empty()) return IniError(file_name, line, "a value without a key");
  if (state.section == nullptr) {
    return IniError(file_name, line, "'" + key + "' is outside any [section]");
  }
  std::string_view value = StripInlineComment(Trim(trimmed.substr(eq + 1)));
  state.section->values[key] = std::string(value);
  state.section->value_lines[key] = line;
  state.last_value_empty = value.empty();
  return Status::Ok();
}

// A shared file as loaded for the chain: absent, or parsed.
struct SharedFile {
  std::filesystem::path path;
  std::optional<IniFile> ini;  // nullopt: no such file
};

Result<SharedFile> LoadShared(const std::filesystem::path& path) {
  SharedFile out{.path = path, .ini = std::nullopt};
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return out;
  if (!std::filesystem::is_regular_file(status)) {
    return ValidationError(path.string() + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ValidationError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ValidationError("cannot read " + path.string());
  BP_ASSIGN_OR_RETURN(IniFile ini, ParseIni(text.str(), path.string()));
  out.ini = std::move(ini);
  return out;
}

// Keys that mean "credentials come from elsewhere", which we do not follow.
constexpr std::string_view kIndirectKeys[] = {
    "sso_session",    "sso_start_url",           "credential_process", "role_arn",
    "source_profile", "web_identity_token_file", "credential_source"};

// Looks `section_name` up in `file`. Returns credentials, nullopt when the
// section is absent or holds no keys at all (noting why in `looked`), or an
// error for a section that is half there or uses an unsupported mechanism.
Result<std::optional<Credentials>> FromSection(const SharedFile& file,
                                               const std::string& section_name,
                                               const std::string& profile,
                                               std::vector<std::string>& looked) {
  const std::string path = file.path.string();
  auto it = file.ini->find(section_name);
  if (it == file.ini->end()) {
    looked.push_back(path + ": no [" + section_name + "] section");
    return std::optional<Credentials>();
  }
  const IniSection& s = it->second;
  auto id = s.values.find("aws_access_key_id");
  auto secret = s.values.find("aws_secret_access_key");
  bool has_id = id != s.values.end() && !id->second.empty();
  bool has_secret = secret != s.values.end() && !secret->second.empty();
  std::string where = path + ":" + std::to_string(s.line) + ": profile [" + section_name + "]";
  if (has_id != has_secret) {
    return ValidationError(where + " has " +
                           (has_id ? "aws_access_key_id but no aws_secret_access_key"
                                   : "aws_secret_access_key but no aws_access_key_id"));
  }
  if (!has_id) {
    for (std::string_view key : kIndirectKeys) {
      if (s.values.count(key) == 0) continue;
      return ValidationError(
          where + " gets its credentials through " + std::string(key) +
          ", which bedrock-profiles does not support yet; export them instead, e.g. "
          "eval \"$(aws configure export-credentials --profile " +
          profile + " --format env)\"");
    }
    looked.push_back(path + ": [" + section_name + "] holds no aws_access_key_id");
    return std::optional<Credentials>();
  }
  Credentials c{.access_key_id = id->second,
                .secret_access_key = secret->second,
                .session_token = std::nullopt,
                .bearer_token = std::nullopt,
                .source = path + " [" + section_name + "]"};
  auto token = s.values.find("aws_session_token");
  if (token != s.values.end() && !token->second.empty()) c.session_token = token->second;
  return std::optional<Credentials>(std::move(c));
}

std::string JoinNames(const std::vector<const SharedFile*>& files) {
  std::string out;
  for (const SharedFile* f : files) {
    for (const auto& [name, section] : *f->ini) {
      if (!out.empty()) out += ", ";
      out += name;
    }
  }
  return out.empty() ? "none" : out;
}

// Inputs of the file stage of the chain.
struct FileStage {
  std::string profile;
  bool profile_explicit = false;
  std::optional<std::filesystem::path> credentials_path;  // nullopt: no home, no override
  std::optional<std::filesystem::path> config_path;
};

Result<std::optional<Credentials>> FromFiles(const FileStage& stage,
                                             std::vector<std::string>& looked) {
  std::vector<const SharedFile*> existing;
  SharedFile loaded[2];
  const std::optional<std::filesystem::path>* paths[2] = {&stage.credentials_path,
                                                          &stage.config_path};
  for (int i = 0; i < 2; ++i) {
    if (!*paths[i]) {
      looked.push_back(std::string(i == 0 ? "~/.aws/credentials" : "~/.aws/config") +
                       ": no home directory");
      continue;
    }
    BP_ASSIGN_OR_RETURN(loaded[i], LoadShared(**paths[i]));
    if (!loaded[i].ini) {
      looked.push_back(loaded[i].path.string() + ": no such file");
      continue;
    }
    existing.push_back(&loaded[i]);
    // The credentials file names sections plainly; the config file prefixes
    // every profile but the default with "profile ".
    std::string section =
        (i == 0 || stage.profile == "default") ? stage.profile : "profile " + stage.profile;
    BP_ASSIGN_OR_RETURN(auto found, FromSection(loaded[i], section, stage.profile, looked));
    if (found) return found;
  }
  if (stage.profile_explicit && !existing.empty()) {
    bool present = false;
    for (const SharedFile* f : existing) {
      present = present || f->ini->count(stage.profile) > 0 ||
                f->ini->count("profile " + stage.profile) > 0;
    }
    if (!present) {
      return ValidationError(
          "AWS_PROFILE names profile '" + stage.profile +
          "', which no shared file defines (sections there: " + JoinNames(existing) + ")");
    }
  }
  return std::optional<Credentials>();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<IniFile> ParseIni(std::string_view text, std::string_view file_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  IniState state;
  int line = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find('\0') != std::string_view::npos) {
      return IniError(file_name, line, "NUL byte; is this a text file?");
    }
    BP_RETURN_IF_ERROR(ParseLine(raw, file_name, line, state));
  }
  return std::move(state.file);
}

Result<Credentials> Resolve(const EnvLookup& env, const std::filesystem::path& home) {
  auto get = [&env](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  if (auto bearer = get("AWS_BEARER_TOKEN_BEDROCK")) {
    return Credentials{.access_key_id = "",
                       .secret_access_key = "",
                       .session_token = std::nullopt,
                       .bearer_token = std::move(bearer),
                       .source = "environment (AWS_BEARER_TOKEN_BEDROCK)"};
  }
  std::vector<std::string> looked = {"AWS_BEARER_TOKEN_BEDROCK: not set"};
  auto id = get("AWS_ACCESS_KEY_ID");
  auto secret = get("AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    return Credentials{.access_key_id = std::move(*id),
                       .secret_access_key = std::move(*secret),
                       .session_token = get("AWS_SESSION_TOKEN"),
                       .bearer_token = std::nullopt,
                       .source = "environment (AWS_ACCESS_KEY_ID)"};
  }
  if (id || secret) {
    return ValidationError(std::string(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY"
                                          : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID") +
                           " is not; set both, or neither to use the shared credentials file");
  }
  looked.emplace_back("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set");

  FileStage stage;
  auto profile = get("AWS_PROFILE");
  stage.profile_explicit = profile.has_value();
  stage.profile = profile.value_or("default");
  if (auto p = get("AWS_SHARED_CREDENTIALS_FILE")) {
    stage.credentials_path = *p;
  } else if (!home.empty()) {
    stage.credentials_path = home / ".aws" / "credentials";
  }
  if (auto p = get("AWS_CONFIG_FILE")) {
    stage.config_path = *p;
  } else if (!home.empty()) {
    stage.config_path = home / ".aws" / "config";
  }
  BP_ASSIGN_OR_RETURN(auto found, FromFiles(stage, looked));
  if (found) return std::move(*found);

  std::string message = "no AWS credentials found for profile '" + stage.profile + "' (looked at ";
  for (size_t i = 0; i < looked.size(); ++i) message += (i ? "; " : "") + looked[i];
  return ValidationError(message + ")");
}

}  // namespace bp::auth::credentials
