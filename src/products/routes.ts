import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  ConditionalHeaders,
  Product,
  ProductInput,
  ProductListQuery,
  ProductPage,
  ProductParams,
  ProductPatch
} from '../../schemas/products.js'
import { ref, type Defaulted } from '../../schemas/ref.js'
import { rowId } from '../../schemas/ids.js'
import { ETag, Location } from '../../schemas/headers.js'
import { Errors } from '../errors.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { etagOf, notModified, ProductErrors, toProduct } from './products-service.js'

const tags = ['products']
const withEtag = {
  description: 'the product',
  headers: { ETag },
  content: { 'application/json': { schema: ref(Product) } }
}
const noContent = Type.Null({ description: 'deleted' })
const writeErrors = [...BODY_ERRORS, ProductErrors.notFound, ProductErrors.preconditionFailed]

const productRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { products } = app.services

  app.post(
    '/api/products',
    {
      config: { access: 'products:write' },
      schema: {
        tags,
        operationId: 'createProduct',
        summary: 'Create a product',
        body: ref(ProductInput),
        response: { 201: { ...withEtag, headers: { ETag, Location } }, ...problems(...BODY_ERRORS) }
      }
    },
    async (request, reply) => {
      const row = await products.create(request.body)
      return reply
        .code(201)
        .header('etag', etagOf(row))
        .header('location', `/api/products/${row.id}`)
        .send(toProduct(row))
    }
  )

  app.get(
    '/api/products',
    {
      config: { access: 'products:read' },
      schema: {
        tags,
        operationId: 'listProducts',
        summary: 'List products, a page at a time (keyset pagination: pass next_cursor as cursor)',
        description:
          'Filters: `q` (name prefix, any case), `min_price`, `max_price`, `in_stock`. Sort by `id`, `name`, ' +
            '`price` or ' +
          '`created_at`, `asc` or `desc`. Rows added or removed between pages neither repeat nor hide others.',
        querystring: ProductListQuery,
        response: { 200: ref(ProductPage), ...problems(Errors.validation, ProductErrors.invalidCursor) }
      }
    },
    async (request) => products.list(request.query as Defaulted<typeof request.query, 'limit' | 'sort' | 'order'>)
  )

  app.get(
    '/api/products/:id',
    {
      config: { access: 'products:read' },
      schema: {
        tags,
        operationId: 'getProduct',
        summary: 'Get a product (If-None-Match: 304 when unchanged)',
        params: ProductParams,
        headers: ConditionalHeaders,
        response: {
          200: withEtag,
          304: { type: 'null', description: 'not modified', headers: { ETag } },
          ...problems(Errors.validation, ProductErrors.notFound)
        }
      }
    },
    async (request, reply) => {
      const row = await products.get(rowId(request.params.id))
      reply.header('etag', etagOf(row))
      if (notModified(request.headers['if-none-match'], row)) return reply.code(304).send(null)
      return toProduct(row)
    }
  )

  for (const [method, replace] of [
    ['PUT', true],
    ['PATCH', false]
  ] as const) {
    app.route({
      method,
      url: '/api/products/:id',
      config: { access: 'products:write' },
      schema: {
        tags,
        operationId: replace ? 'replaceProduct' : 'updateProduct',
        summary: replace
          ? 'Replace a product (If-Match: only if unchanged since)'
          : 'Change some fields of a product (If-Match: only if unchanged since)',
        params: ProductParams,
        headers: ConditionalHeaders,
        body: replace ? ref(ProductInput) : ref(ProductPatch),
        response: { 200: withEtag, ...problems(...writeErrors) }
      },
      handler: async (request, reply) => {
        const row = await products.update(rowId(request.params.id), request.body, request.headers['if-match'], replace)
        return reply.header('etag', etagOf(row)).send(toProduct(row))
      }
    })
  }

  app.delete(
    '/api/products/:id',
    {
      config: { access: 'products:delete' },
      schema: {
        tags,
        operationId: 'deleteProduct',
        summary: 'Delete a product (If-Match: only if unchanged since)',
        params: ProductParams,
        headers: ConditionalHeaders,
        response: {
          204: noContent,
          ...problems(Errors.validation, ProductErrors.notFound, ProductErrors.preconditionFailed)
        }
      }
    },
    async (request, reply) => {
      await products.remove(rowId(request.params.id), request.headers['if-match'])
      return reply.code(204).send(null)
    }
  )
}

export default productRoutes
