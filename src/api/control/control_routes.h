#pragma once
// The control-plane wire layer: registers the nine operations of
// bedrock-api.md §2.1 on an ApiHandler, each parsing its request
// (control_wire.h), calling ControlPlane and answering restJson1:
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
// carries `resourceName`. Public header of bp_api_control.

#include "api/control/control_plane.h"
#include "api/router.h"
#include "core/status.h"

namespace bp::api::control {

// `control` must outlive `handler`. Errors: those of ApiHandler::Register
// (a route already taken).
Status RegisterControlRoutes(ApiHandler& handler, ControlPlane& control);

}  // namespace bp::api::control
