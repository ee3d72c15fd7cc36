import { Type } from '@sinclair/typebox'
import { Text } from './common.js'

/** A validation_failed problem lists at most this many violations (the first ones found). */
export const MAX_ISSUES = 50

export const ValidationIssue = Type.Object(
  {
    pointer: Text(1000, {
      description: 'JSON pointer into the request: /body/..., /querystring/..., /params/... or /headers/...',
      examples: ['/body/username']
    }),
    message: Text(1000, { examples: ['must NOT have fewer than 3 characters'] })
  },
  { $id: 'ValidationIssue', additionalProperties: false }
)

export const Problem = Type.Object(
  {
    type: Text(200, {
      format: 'uri',
      description: 'URI naming the problem type',
      examples: ['https://secure-api.dev/problems/validation_failed']
    }),
    title: Text(200, { description: 'short summary of the problem type', examples: ['Request validation failed'] }),
    status: Type.Integer({ format: 'int32', minimum: 400, maximum: 599, examples: [400] }),
    detail: Type.Optional(Text(2000, { description: 'what went wrong with this request' })),
    code: Text(64, {
      pattern: '^[a-z0-9_]+$',
      description: 'stable machine-readable code; switch on this, not on title',
      examples: ['validation_failed']
    }),
    request_id: Type.Optional(Text(128, { description: 'the x-request-id of the request, for support' })),
    errors: Type.Optional(
      Type.Array(Type.Ref('ValidationIssue'), {
        maxItems: MAX_ISSUES,
        description: `the violations (the first ${MAX_ISSUES}), for code validation_failed`
      })
    )
  },
  { $id: 'Problem', additionalProperties: false, description: 'RFC 9457 problem details' }
)
