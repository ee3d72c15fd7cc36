// --import this: every module the ESM loader resolves is appended to MODULE_LOG (one URL a line)
import { register } from 'node:module'

register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs'
export async function resolve (specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.MODULE_LOG, result.url + '\\n')
  return result
}`))
