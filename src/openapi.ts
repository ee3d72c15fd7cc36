import { buildApp } from './app.js'
import { loadConfig } from './config.js'

/** The OpenAPI document as the code defines it, in YAML: what `openapi.yaml` must hold. */
export async function generateOpenApiYaml (): Promise<string> {
  const app = await buildApp(loadConfig({}, { DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' }))
  try {
    await app.ready()
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
  }
}
