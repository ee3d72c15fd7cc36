import t from 'tap'
import { authApp, login, userWithRole } from '../auth/flow.js'
import { ROLE_NAMES } from '../../schemas/access.js'

type Operation = { security?: Array<Record<string, string[]>>, 'x-permissions'?: string[], operationId: string }

t.test('A2 (API5 BFLA): route x role matrix, built from every operation the app declares', async (t) => {
  const { app, clock } = await authApp(t)
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> }
  const grants = await app.db.query<{ role: string, permission: string }>(
    'SELECT r.name AS role, rp.permission FROM role_permissions rp JOIN roles r ON r.id = rp.role_id')
  const roles = ROLE_NAMES
  const users = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await userWithRole(app, clock, r)] as const)))

  let checked = 0
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const url = path.replace('{id}', '999999').replace('{username}', 'nobody')
      const send = (token?: string) => app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(['post', 'put', 'patch'].includes(method) && { payload: {} })
      })
      const bearer = op.security?.some((s) => 'bearerAuth' in s) ?? false
      const permission = op['x-permissions']?.[0]
      const anonymous = await send()
      if (bearer) t.equal(anonymous.statusCode, 401, `anonymous ${method.toUpperCase()} ${path}`)
      else t.not(anonymous.statusCode, 403, `anonymous ${method.toUpperCase()} ${path} is public`)
      if (!bearer) continue
      for (const role of roles) {
        const res = await send(await login(app, clock, users[role]!)) // a fresh session: some routes end theirs
        const allowed = !permission || grants.some((g) => g.role === role && g.permission === permission)
        if (allowed) {
          t.notOk([401, 403].includes(res.statusCode), `${role} may ${method.toUpperCase()} ${path} (${res.statusCode})`)
        } else {
          t.equal(res.statusCode, 403, `${role} may not ${method.toUpperCase()} ${path}`)
          t.match(res.json(), { code: 'forbidden', detail: new RegExp(permission!) })
        }
        checked++
      }
    }
  }
  t.ok(checked >= 3 * 15, `${checked} route x role pairs checked`)
})

t.test('the OpenAPI document states each operation\'s permission', async (t) => {
  const { app } = await authApp(t, { store: 'sqlite' })
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, Operation & { description?: string, responses: Record<string, unknown> }>> }
  const create = doc.paths['/api/products']!.post!
  t.same(create['x-permissions'], ['products:write'])
  t.match(create.description, /Requires the permission `products:write`/)
  const list = doc.paths['/api/products']!.get!
  t.equal(list.description!.split('Requires the permission').length, 2, 'stated once, even with the automatic HEAD route')
  t.same(create.security, [{ bearerAuth: [] }])
  t.ok(create.responses['401'] && create.responses['403'])
})
