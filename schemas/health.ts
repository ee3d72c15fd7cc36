import { Type } from '@sinclair/typebox'

export const Health = Type.Object(
  {
    status: Type.Literal('ok'),
    store: Type.Optional(
      Type.Union([Type.Literal('mysql'), Type.Literal('sqlite')], {
        description: 'the store answering (readiness only)'
      })
    )
  },
  { $id: 'Health', additionalProperties: false }
)
