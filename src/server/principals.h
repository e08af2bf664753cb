#pragma once
// The config's principals as the authenticator and the authorizer take them.
// Used by serve and by the benchmark that wires the endpoint the same way.

#include <vector>

#include "auth/iam/iam_authorizer.h"
#include "auth/sigv4/sigv4_authenticator.h"
#include "config/config.h"

namespace bp::server {

// Every configured principal's ways to sign (secrets stay in memory only).
auth::sigv4::CredentialSet CredentialsOf(const config::Config& cfg);

// Every configured principal's policies, for the IAM authorizer.
std::vector<auth::iam::PrincipalPolicies> PoliciesOf(const config::Config& cfg);

}  // namespace bp::server
