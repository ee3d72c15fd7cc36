import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateOpenApiYaml } from '../openapi.js'
import { projectRoot } from '../paths.js'

const file = join(projectRoot, 'openapi.yaml')
writeFileSync(file, await generateOpenApiYaml())
process.stdout.write(`wrote ${file}\n`)
