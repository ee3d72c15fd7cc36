import { defineError } from '../errors.js'

export const StepUpErrors = {
  insufficientUserAuthentication: defineError(401, 'insufficient_user_authentication',
    'A more recent authentication is required: step up with POST /auth/step-up')
}
