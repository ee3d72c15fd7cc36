import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, Errors, PROBLEM_BASE, type ValidationIssue } from '../errors.js'
import { MAX_ISSUES } from '../../schemas/problem.js'
import { isStoreUnavailable } from '../db/errors.js'

type AjvIssue = { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }

/** The violations (the first MAX_ISSUES), each as a JSON pointer into the request part it came from. */
function issuesOf (error: FastifyError): ValidationIssue[] {
  const part = error.validationContext ?? 'body'
  return (error.validation as AjvIssue[]).slice(0, MAX_ISSUES).map((v) => {
    const extra =
      v.keyword === 'required'
        ? `/${String(v.params.missingProperty)}`
        : v.keyword === 'additionalProperties'
          ? `/${String(v.params.additionalProperty)}`
          : ''
    const message = v.keyword === 'additionalProperties' ? 'is not an accepted property' : (v.message ?? 'is invalid')
    return { pointer: `/${part}${v.instancePath}${extra}`, message }
  })
}

/** Maps anything thrown to the ApiError it stands for. */
export function toApiError (error: FastifyError | ApiError): ApiError {
  if (error instanceof ApiError) return error
  // the drivers say which failures mean the store cannot answer now (src/db/errors.ts)
  if (isStoreUnavailable(error)) {
    return Errors.storeUnavailable('The data store is not answering; try again shortly')
  }
  if (error.validation) {
    const issues = issuesOf(error)
    return new ApiError(
      400,
      Errors.validation.code,
      Errors.validation.title,
      `${issues.length} problem(s) in the request`,
      {},
      issues
    )
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return Errors.unsupportedMediaType('Send the body as application/json')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Errors.payloadTooLarge(error.message)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return Errors.malformedJson('The body is empty but Content-Type is application/json')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return Errors.malformedJson()
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return Errors.uriTooLong()
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return new ApiError(
      status,
      error.code?.startsWith('FST_') ? Errors.badRequest.code : (error.code ?? Errors.badRequest.code),
      Errors.badRequest.title,
      error.message
    )
  }
  return Errors.internal()
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, e: ApiError) {
  return reply
    .code(e.status)
    .headers(e.headers)
    .type('application/problem+json')
    .send({
      type: PROBLEM_BASE + e.code,
      title: e.title,
      status: e.status,
      ...(e.detail !== undefined && { detail: e.detail }),
      code: e.code,
      request_id: request.id,
      ...(e.errors && { errors: e.errors })
    })
}
