import fp from 'fastify-plugin'
import { allSchemas } from '../../../schemas/index.js'

/** Registers every named schema once, so routes refer to them by `$id` and OpenAPI names them. */
export default fp(async (app) => {
  for (const schema of allSchemas) app.addSchema(schema)
}, { name: 'schemas' })
