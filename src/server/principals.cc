#include "server/principals.h"

#include <utility>

namespace bp::server {

auth::sigv4::CredentialSet CredentialsOf(const config::Config& cfg) {
  auth::sigv4::CredentialSet set;
  set.reserve(cfg.principals.size());
  for (const config::PrincipalConfig& p : cfg.principals) {
    set.push_back({.principal_name = p.name,
                   .principal_arn = p.arn,
                   .access_key_id = p.access_key_id,
                   .secret_access_key = p.secret_access_key,
                   .session_token = p.session_token,
                   .api_key_sha256 = p.api_key_sha256});
  }
  return set;
}

std::vector<auth::iam::PrincipalPolicies> PoliciesOf(const config::Config& cfg) {
  std::vector<auth::iam::PrincipalPolicies> out;
  out.reserve(cfg.principals.size());
  for (const config::PrincipalConfig& p : cfg.principals) {
    auth::iam::PrincipalPolicies entry{
        .name = p.name, .arn = p.arn, .tags = p.tags, .policies = {}};
    for (const config::PolicyDocument& doc : p.policies) {
      entry.policies.push_back({.text = doc.text, .origin = doc.origin});
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace bp::server
