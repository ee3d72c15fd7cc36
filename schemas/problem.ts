import { Type } from '@sinclair/typebox'

export const ValidationIssue = Type.Object({
  pointer: Type.String({ description: 'JSON pointer into the request: /body/..., /querystring/..., /params/... or /headers/...', examples: ['/body/username'] }),
  message: Type.String({ examples: ['must NOT have fewer than 3 characters'] })
}, { $id: 'ValidationIssue', additionalProperties: false })

export const Problem = Type.Object({
  type: Type.String({ description: 'URI naming the problem type', examples: ['https://secure-api.dev/problems/validation_failed'] }),
  title: Type.String({ description: 'short summary of the problem type', examples: ['Request validation failed'] }),
  status: Type.Integer({ minimum: 400, maximum: 599, examples: [400] }),
  detail: Type.Optional(Type.String({ description: 'what went wrong with this request' })),
  code: Type.String({ description: 'stable machine-readable code; switch on this, not on title', examples: ['validation_failed'] }),
  request_id: Type.Optional(Type.String({ description: 'the x-request-id of the request, for support' })),
  errors: Type.Optional(Type.Array(Type.Ref('ValidationIssue'), { description: 'every violation, for code validation_failed' }))
}, { $id: 'Problem', additionalProperties: false, description: 'RFC 9457 problem details' })
