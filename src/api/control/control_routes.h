#pragma once
// The control-plane wire layer: registers the nine operations of
// bedrock-api.md §2.1 on an ApiHandler, each parsing its request
// (control_wire.h), calling ControlService and answering restJson1:
//
//   POST   /inference-profiles                      CreateInferenceProfile  201
//   GET    /inference-profiles                      ListInferenceProfiles   200
//   GET    /inference-profiles/{identifier}         GetInferenceProfile     200
//   DELETE /inference-profiles/{identifier}         DeleteInferenceProfile  200 {}
//   POST   /tagResource                             TagResource             200 {}
//   POST   /untagResource                           UntagResource           200 {}
//   POST   /listTagsForResource                     ListTagsForResource     200
//   GET    /foundation-models                       ListFoundationModels    200
//   GET    /foundation-models/{modelIdentifier}     GetFoundationModel      200
//
// Every answer, success or error, is application/json. TooManyTagsException
// carries `resourceName`.
//
// Authorization (auth.md §4): each operation parses its input, then asks the
// auth::Authorizer, and only then touches the ControlService, so a denied call
// writes nothing and reveals nothing about what exists (the check names the
// ARN the caller gave, never what the store holds):
//   CreateInferenceProfile  bedrock:CreateInferenceProfile on
//                           arn:aws:bedrock:<region>:<account>:application-inference-profile/*
//                           (the id is drawn after the check) and on the copyFrom ARN;
//                           with tags also bedrock:TagResource on that wildcard ARN.
//                           Context: aws:RequestTag/<k>, aws:TagKeys.
//   Get/DeleteInferenceProfile  same-named action on ControlService::ProfileArnFor(identifier).
//   TagResource / UntagResource / ListTagsForResource  same-named action on resourceARN;
//                           Tag adds aws:RequestTag/<k> + aws:TagKeys, Untag aws:TagKeys.
//   ListInferenceProfiles, ListFoundationModels  same-named action on "*".
//   GetFoundationModel      bedrock:GetFoundationModel on ControlService::ModelArnFor(id).
// Checks on a profile ARN add aws:ResourceTag/<k> from its stored tags when it
// exists. A denial answers the authorizer's Status (kAccessDenied -> 403
// AccessDeniedException). Public header of bp_api_control.

#include "api/control/control_service.h"
#include "api/router.h"
#include "auth/authorizer.h"
#include "core/status.h"

namespace bp::api::control {

// `control` and `authorizer` must outlive `handler`. Errors: those of
// ApiHandler::Register (a route already taken).
Status RegisterControlRoutes(ApiHandler& handler, ControlService& control,
                             const auth::Authorizer& authorizer);

}  // namespace bp::api::control
