import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../paths.js'

const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }

/** The OpenAPI 3.1 document, generated from the routes; named schemas become components. */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'secure-api',
        version,
        description: 'Accounts with mandatory TOTP two-factor login, JWT access tokens, and a products catalog. ' +
          'Every error is `application/problem+json` (RFC 9457) with a stable `code`.',
        license: { name: 'MIT', identifier: 'MIT' }
      },
      servers: [{ url: '/', description: 'this server' }],
      tags: [
        { name: 'auth', description: 'registration, TOTP enrollment and login' },
        { name: 'account', description: 'changes to your own password and second factor' },
        { name: 'sessions', description: 'refresh tokens, logout, your sessions, and the JWKS' },
        { name: 'products', description: 'the catalog' },
        { name: 'users', description: 'administration of accounts' },
        { name: 'health', description: 'liveness and readiness probes' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access_token from a completed login' },
          enrollmentToken: { type: 'http', scheme: 'bearer', description: 'enrollment_token from registration or from a password-only login while enrollment is pending' }
        }
      }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)
    }
  })
}, { name: 'swagger', dependencies: ['schemas'] })
