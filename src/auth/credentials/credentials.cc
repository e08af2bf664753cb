// The chain: environment, shared files and their credential_process, then
// the HTTP sources (remote_sources.cc).

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

#include "auth/credentials/credential_json.h"
#include "auth/credentials/credential_process.h"
#include "auth/credentials/remote_sources.h"

namespace bp::auth::credentials {
namespace {

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
    "sso_session",    "sso_start_url",           "role_arn",
    "source_profile", "web_identity_token_file", "credential_source"};

// What the selected profile's section yields: static keys, or a command.
struct ProfileFinding {
  std::optional<Credentials> keys;
  std::string process_command;  // credential_process, when there are no keys
  std::string process_where;    // "file:line: credential_process of profile [x]"
  std::string process_source;   // Credentials::source of its answer
};

std::string Optional(const IniSection& s, std::string_view key) {
  auto it = s.values.find(key);
  return it == s.values.end() ? "" : it->second;
}

// Looks `section_name` up in `file`. Returns what it holds, nullopt when the
// section is absent or holds no credentials at all (noting why in
// `looked`), or an error for a section that is half there or uses an
// unsupported mechanism. Static keys win over credential_process, as in the
// AWS SDKs.
Result<std::optional<ProfileFinding>> FromSection(const SharedFile& file,
                                                  const std::string& section_name,
                                                  const std::string& profile,
                                                  std::vector<std::string>& looked) {
  const std::string path = file.path.string();
  auto it = file.ini->find(section_name);
  if (it == file.ini->end()) {
    looked.push_back(path + ": no [" + section_name + "] section");
    return std::optional<ProfileFinding>();
  }
  const IniSection& s = it->second;
  const std::string id = Optional(s, "aws_access_key_id");
  const std::string secret = Optional(s, "aws_secret_access_key");
  std::string where = path + ":" + std::to_string(s.line) + ": profile [" + section_name + "]";
  if (id.empty() != secret.empty()) {
    return ValidationError(where + " has " +
                           (!id.empty() ? "aws_access_key_id but no aws_secret_access_key"
                                        : "aws_secret_access_key but no aws_access_key_id"));
  }
  ProfileFinding found;
  if (!id.empty()) {
    std::string token = Optional(s, "aws_session_token");
    found.keys = Credentials{.access_key_id = id,
                             .secret_access_key = secret,
                             .session_token = std::nullopt,
                             .bearer_token = std::nullopt,
                             .source = path + " [" + section_name + "]",
                             .expiration = std::nullopt};
    if (!token.empty()) found.keys->session_token = std::move(token);
    return std::optional<ProfileFinding>(std::move(found));
  }
  if (std::string command = Optional(s, "credential_process"); !command.empty()) {
    found.process_command = std::move(command);
    found.process_where = path + ":" + std::to_string(s.value_lines.at("credential_process")) +
                          ": credential_process of profile [" + section_name + "]";
    found.process_source = "credential_process of " + path + " [" + section_name + "]";
    return std::optional<ProfileFinding>(std::move(found));
  }
  for (std::string_view key : kIndirectKeys) {
    if (s.values.count(key) == 0) continue;
    return ValidationError(
        where + " gets its credentials through " + std::string(key) +
        ", which bedrock-profiles does not support yet; export them instead, e.g. "
        "eval \"$(aws configure export-credentials --profile " +
        profile + " --format env)\"");
  }
  looked.push_back(path + ": [" + section_name + "] holds no aws_access_key_id");
  return std::optional<ProfileFinding>();
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

Result<std::optional<ProfileFinding>> FromFiles(const FileStage& stage,
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
  return std::optional<ProfileFinding>();
}

// Runs a profile's credential_process and reads its answer.
Result<Credentials> FromProcess(const ProfileFinding& found, const ChainOptions& options,
                                std::stop_token stop) {
  auto argv = SplitCommandLine(found.process_command);
  if (!argv.ok()) return std::move(argv).status().Annotate(found.process_where);
  ProcessLimits limits{.timeout = options.process_timeout,
                       .max_stdout_bytes = options.process_max_output_bytes};
  auto out = RunCredentialProcess(*argv, limits, std::move(stop));
  if (!out.ok()) return std::move(out).status().Annotate(found.process_where);
  auto creds = ParseProcessCredentials(*out, found.process_source);
  if (!creds.ok()) {
    return ValidationError(found.process_where + ": '" + argv->front() +
                           "' printed no usable credentials: " + creds.status().message());
  }
  return creds;
}

// Steps 4 and 5. nullopt: IMDS is not there (the reason is in `looked`).
Result<std::optional<Credentials>> FromRemote(const EnvLookup& env, const ChainOptions& options,
                                              std::vector<std::string>& looked) {
  if (ContainerConfigured(env)) {
    BP_ASSIGN_OR_RETURN(Credentials c, FetchContainerCredentials(env, options));
    return std::optional<Credentials>(std::move(c));
  }
  looked.emplace_back("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI: not set");
  std::optional<std::string> disabled = env("AWS_EC2_METADATA_DISABLED");
  std::string lowered = disabled.value_or("");
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered == "true") {
    looked.emplace_back("instance metadata: AWS_EC2_METADATA_DISABLED=true");
    return std::optional<Credentials>();
  }
  bool reachable = false;
  auto imds = FetchImdsCredentials(env, options, reachable);
  if (imds.ok()) return std::optional<Credentials>(std::move(*imds));
  if (reachable) return imds.status();
  looked.push_back(imds.status().message());
  return std::optional<Credentials>();
}

// An environment variable; empty counts as unset.
std::optional<std::string> Get(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// Steps 1 and 2. nullopt: not set (noted in `looked`).
Result<std::optional<Credentials>> FromEnvironment(const EnvLookup& env,
                                                   const ChainOptions& options,
                                                   std::vector<std::string>& looked) {
  if (options.bearer_token) {
    if (auto bearer = Get(env, "AWS_BEARER_TOKEN_BEDROCK")) {
      return std::optional<Credentials>(
          Credentials{.access_key_id = "",
                      .secret_access_key = "",
                      .session_token = std::nullopt,
                      .bearer_token = std::move(bearer),
                      .source = "environment (AWS_BEARER_TOKEN_BEDROCK)",
                      .expiration = std::nullopt});
    }
    looked.emplace_back("AWS_BEARER_TOKEN_BEDROCK: not set");
  }
  auto id = Get(env, "AWS_ACCESS_KEY_ID");
  auto secret = Get(env, "AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    return std::optional<Credentials>(Credentials{.access_key_id = std::move(*id),
                                                  .secret_access_key = std::move(*secret),
                                                  .session_token = Get(env, "AWS_SESSION_TOKEN"),
                                                  .bearer_token = std::nullopt,
                                                  .source = "environment (AWS_ACCESS_KEY_ID)",
                                                  .expiration = std::nullopt});
  }
  if (id || secret) {
    return ValidationError(std::string(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY"
                                          : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID") +
                           " is not; set both, or neither to use the shared credentials file");
  }
  looked.emplace_back("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set");
  return std::optional<Credentials>();
}

FileStage StageFromEnv(const EnvLookup& env, const std::filesystem::path& home) {
  FileStage stage;
  auto profile = Get(env, "AWS_PROFILE");
  stage.profile_explicit = profile.has_value();
  stage.profile = profile.value_or("default");
  if (auto p = Get(env, "AWS_SHARED_CREDENTIALS_FILE")) {
    stage.credentials_path = *p;
  } else if (!home.empty()) {
    stage.credentials_path = home / ".aws" / "credentials";
  }
  if (auto p = Get(env, "AWS_CONFIG_FILE")) {
    stage.config_path = *p;
  } else if (!home.empty()) {
    stage.config_path = home / ".aws" / "config";
  }
  return stage;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Credentials> ResolveChain(const EnvLookup& env, const std::filesystem::path& home,
                                 const ChainOptions& options, std::stop_token stop) {
  std::vector<std::string> looked;
  BP_ASSIGN_OR_RETURN(auto from_env, FromEnvironment(env, options, looked));
  if (from_env) return std::move(*from_env);
  const FileStage stage = StageFromEnv(env, home);
  BP_ASSIGN_OR_RETURN(auto found, FromFiles(stage, looked));
  if (found && found->keys) return std::move(*found->keys);
  if (found) return FromProcess(*found, options, std::move(stop));

  // Web identity comes next in the AWS SDKs. Unsupported, and going on to
  // the container or instance role instead would sign with other (often
  // broader) credentials than the ones the deployment meant.
  if (Get(env, "AWS_WEB_IDENTITY_TOKEN_FILE")) {
    return ValidationError(
        "AWS_WEB_IDENTITY_TOKEN_FILE is set, but web identity (STS AssumeRoleWithWebIdentity) "
        "is not supported; export credentials into the environment instead, or unset it to "
        "use the container or instance credentials");
  }
  if (options.remote_sources) {
    BP_ASSIGN_OR_RETURN(auto remote, FromRemote(env, options, looked));
    if (remote) return std::move(*remote);
  }
  std::string message = "no AWS credentials found for profile '" + stage.profile + "' (looked at ";
  for (size_t i = 0; i < looked.size(); ++i) message += (i ? "; " : "") + looked[i];
  return ValidationError(message + ")");
}

Result<Credentials> Resolve(const EnvLookup& env, const std::filesystem::path& home) {
  return ResolveChain(env, home, ChainOptions{.bearer_token = true, .remote_sources = false});
}

}  // namespace bp::auth::credentials
