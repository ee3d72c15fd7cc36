/** The parts of a mysql:// URL the service needs, and a form of it safe to log. */
export interface MysqlTarget {
  host: string
  port: number
  user: string
  password: string
  database: string
  /** host:port/database, no credentials: for logs and error messages. */
  display: string
}

export function parseMysqlUrl (url: string): MysqlTarget {
  const u = new URL(url)
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new Error('DATABASE_URL must name a database of letters, digits, _ or $ (mysql://user:pass@host:port/db)')
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = u.port ? Number(u.port) : 3306
  return {
    host,
    port,
    user: decodeURIComponent(u.username) || 'root',
    password: decodeURIComponent(u.password),
    database,
    display: `${u.hostname}:${port}/${database}`
  }
}
