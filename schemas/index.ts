import type { TSchema } from '@sinclair/typebox'
import { Problem, ValidationIssue } from './problem.js'
import { Health } from './health.js'
import * as auth from './auth.js'
import * as sessions from './sessions.js'
import * as products from './products.js'
import * as users from './users.js'
import * as audit from './audit.js'
import * as apiKeys from './api-keys.js'
import * as stepUp from './step-up.js'
import * as passkeys from './passkeys.js'

/** Every named schema, in the order they are registered (a schema before those that refer to it). */
export const allSchemas: TSchema[] = [
  ValidationIssue,
  Problem,
  Health,
  passkeys.PublicKeyCredentialCreationOptionsJSON,
  passkeys.PublicKeyCredentialRequestOptionsJSON,
  passkeys.RegistrationResponseJSON,
  passkeys.AuthenticationResponseJSON,
  passkeys.Passkey,
  passkeys.PasskeyList,
  passkeys.PasskeyRegistrationRequest,
  passkeys.PasskeyRenameRequest,
  passkeys.PasskeyLoginRequest,
  passkeys.EmptyRequest,
  auth.RegisterRequest,
  auth.User,
  auth.Enrollment,
  auth.RegisterResponse,
  auth.QrCode,
  auth.EnrollmentVerifyRequest,
  auth.RecoveryCodes,
  auth.LoginRequest,
  auth.MfaChallenge,
  auth.EnrollmentRequired,
  auth.TokenResponse,
  auth.LoginResponse,
  auth.Login2faRequest,
  auth.SecondFactorProof,
  auth.ChangePasswordRequest,
  sessions.RefreshRequest,
  sessions.Session,
  sessions.SessionList,
  sessions.Jwk,
  sessions.Jwks,
  products.Price,
  products.ProductInput,
  products.ProductPatch,
  products.Product,
  products.ProductPage,
  users.AdminUser,
  users.AdminUserPage,
  users.SetRolesRequest,
  audit.AuditEvent,
  audit.AuditPage,
  apiKeys.CreateApiKeyRequest,
  apiKeys.CreatedApiKey,
  apiKeys.ApiKey,
  apiKeys.ApiKeyPage,
  stepUp.StepUpRequest,
  stepUp.StepUpOptions,
  stepUp.AccessTokenResponse
]
