import t from 'tap'
import { Type } from '@sinclair/typebox'
import { buildTestApp } from '../helper.js'
import { ETag } from '../../schemas/headers.js'
import { headerProblems, type Doc } from './declared-headers.js'

// The check behind response-headers.test.ts, shown failing: scratch routes that break the rule.
t.test('the check fails when a response sends an undeclared header or lacks a required one', async (t) => {
  const app = await buildTestApp(t, {
    store: 'sqlite',
    before: (app) => {
      const schema = (operationId: string, headers?: object) => ({
        tags: ['health'],
        summary: 'scratch',
        operationId,
        security: [],
        response: {
          200: {
            description: 'scratch',
            ...(headers && { headers }),
            content: { 'application/json': { schema: Type.Object({ ok: Type.Boolean() }) } }
          }
        }
      })
      app.get('/scratch/undeclared', { schema: schema('scratchUndeclared') }, async (_request, reply) =>
        reply.header('x-scratch', '1').send({ ok: true })
      )
      app.get('/scratch/missing', { schema: schema('scratchMissing', { ETag }) }, async () => ({ ok: true }))
      app.get('/scratch/declared', { schema: schema('scratchDeclared', { ETag }) }, async (_request, reply) =>
        reply.header('etag', '"1"').send({ ok: true })
      )
      app.get('/scratch/wrong', { schema: schema('scratchWrong', { ETag }) }, async (_request, reply) =>
        reply.header('etag', 'W/"x"').send({ ok: true })
      )
    }
  })
  const doc = app.swagger() as unknown as Doc
  const problems = async (op: string, url: string) => headerProblems(doc, op, await app.inject({ url }))
  t.same(await problems('scratchUndeclared', '/scratch/undeclared'), [
    'scratchUndeclared 200: sends x-scratch, which the document does not declare'
  ])
  t.same(await problems('scratchMissing', '/scratch/missing'), [
    'scratchMissing 200: lacks etag, which the document declares required'
  ])
  t.same(await problems('scratchDeclared', '/scratch/declared'), [], 'declared and sent: no problem')
  t.match(await problems('scratchWrong', '/scratch/wrong'), [/etag: W\/"x" does not match its schema/])
  t.same(headerProblems(doc, 'scratchDeclared', { statusCode: 418, headers: {} }), [
    'scratchDeclared 418: the status is not documented'
  ])
})
