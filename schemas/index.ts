import type { TSchema } from '@sinclair/typebox'
import { Problem, ValidationIssue } from './problem.js'
import { Health } from './health.js'

/** Every named schema, in the order they are registered (a schema before those that refer to it). */
export const allSchemas: TSchema[] = [ValidationIssue, Problem, Health]
