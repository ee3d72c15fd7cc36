import type { Executor } from '../../src/db/driver.js'

/**
 * What a migrated store looks like, in terms both dialects share: per table its columns
 * (type family, text length, nullability), primary key, unique and secondary indexes and
 * foreign keys. Index names are compared for secondary indexes only: SQLite names the
 * unique constraints it creates itself (sqlite_autoindex_*).
 */
export interface TableShape {
  columns: Record<string, string>
  primaryKey: string
  unique: string[]
  indexes: string[]
  foreignKeys: string[]
}
export type Shape = Record<string, TableShape>

/** integer, text, decimal, real or blob: what a value of the column can be on either store. */
function family (type: string): string {
  const t = type.toLowerCase()
  if (/int/.test(t)) return 'integer'
  if (/char|text|clob/.test(t)) return 'text'
  if (/dec|numeric/.test(t)) return 'decimal'
  if (/real|floa|doub/.test(t)) return 'real'
  return 'blob'
}

const column = (type: string, length: number | null, nullable: boolean) =>
  `${family(type)}${family(type) === 'text' && length !== null ? `(${length})` : ''} ${nullable ? 'null' : 'not null'}`

const emptyTable = (): TableShape => ({ columns: {}, primaryKey: '', unique: [], indexes: [], foreignKeys: [] })

const colsOf = (entry: string) => /\(([^)]*)\)(?: ->.*)?$/.exec(entry)![1]!
const covers = (index: string, fk: string) => index === fk || index.startsWith(`${fk},`)

/**
 * A foreign key needs an index on its columns: InnoDB creates one (named after the key)
 * when none covers them, SQLite does without. So the index that serves only a foreign
 * key is counted as that key's, whatever its name and on both stores alike.
 */
function finish (shape: Shape): Shape {
  for (const table of Object.values(shape)) {
    for (const fk of table.foreignKeys.map(colsOf)) {
      const others = [table.primaryKey, ...table.unique, ...table.indexes].filter(Boolean).map(colsOf)
      const pk = table.primaryKey && colsOf(table.primaryKey)
      if (pk === fk || others.some((cols) => cols !== fk && covers(cols, fk))) continue
      table.indexes = table.indexes.filter((i) => colsOf(i) !== fk)
      if (!table.unique.some((u) => colsOf(u) === fk)) table.indexes.push(`(foreign key) (${fk})`)
    }
    table.unique.sort()
    table.indexes.sort()
    table.foreignKeys.sort()
  }
  return shape
}

/** Groups ordered (name, column) rows into `name -> column list`. */
function grouped<T extends { name: string; col: string }> (rows: T[]): Map<string, { first: T; cols: string[] }> {
  const out = new Map<string, { first: T; cols: string[] }>()
  for (const r of rows) {
    const entry = out.get(r.name) ?? { first: r, cols: [] }
    entry.cols.push(r.col)
    out.set(r.name, entry)
  }
  return out
}

export async function mysqlShape (db: Executor): Promise<Shape> {
  const shape: Shape = {}
  const tables = await db.query<{ t: string }>(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`
  )
  for (const { t } of tables) shape[t] = emptyTable()
  const columns = await db.query<{ t: string; c: string; n: string; d: string; len: number | null }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, IS_NULLABLE AS n, DATA_TYPE AS d, CHARACTER_MAXIMUM_LENGTH AS len
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`
  )
  for (const c of columns) shape[c.t]!.columns[c.c] = column(c.d, c.len === null ? null : Number(c.len), c.n === 'YES')

  const fks = await db.query<{ t: string; name: string; col: string; rt: string; rc: string; del: string }>(
    `SELECT k.TABLE_NAME AS t, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS col, k.REFERENCED_TABLE_NAME AS rt,
       k.REFERENCED_COLUMN_NAME AS rc, r.DELETE_RULE AS del
     FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
       ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
         AND r.TABLE_NAME = k.TABLE_NAME
     WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`
  )
  for (const [name, { first, cols }] of grouped(fks.map((f) => ({ ...f, name: `${f.t}.${f.name}` })))) {
    const refs = fks.filter((f) => `${f.t}.${f.name}` === name).map((f) => f.rc)
    shape[first.t]!.foreignKeys.push(`(${cols}) -> ${first.rt} (${refs}) on delete ${first.del.toLowerCase()}`)
  }

  const indexes = await db.query<{ t: string; name: string; col: string; nu: number }>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS name, COLUMN_NAME AS col, NON_UNIQUE AS nu FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`
  )
  for (const [, { first, cols }] of grouped(indexes.map((i) => ({ ...i, name: `${i.t}.${i.name}`, index: i.name })))) {
    const table = shape[first.t]!
    if (first.index === 'PRIMARY') table.primaryKey = `(${cols})`
    else if (Number(first.nu) === 0) table.unique.push(`(${cols})`)
    else table.indexes.push(`${first.index} (${cols})`)
  }
  return finish(shape)
}

export async function sqliteShape (db: Executor): Promise<Shape> {
  const shape: Shape = {}
  const tables = await db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
  )
  for (const { name: t } of tables) {
    const table = (shape[t] = emptyTable())
    const cols = await db.query<{ name: string; type: string; notnull: number; pk: number }>(
      'SELECT * FROM pragma_table_info(?)',
      [t]
    )
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk)
    // an INTEGER PRIMARY KEY is the rowid, never NULL; any other key column is NULL-able unless declared NOT NULL
    const rowid = pk.length === 1 && pk[0]!.type.toUpperCase() === 'INTEGER' ? pk[0]!.name : undefined
    for (const c of cols) {
      const length = /\((\d+)\)/.exec(c.type)?.[1]
      const nullable = c.notnull === 0 && c.name !== rowid
      table.columns[c.name] = column(c.type, length === undefined ? null : Number(length), nullable)
    }
    table.primaryKey = pk.length ? `(${pk.map((c) => c.name)})` : ''

    const indexes = await db.query<{ name: string; unique: number; origin: string }>(
      'SELECT * FROM pragma_index_list(?)',
      [t]
    )
    for (const index of indexes.filter((i) => i.origin !== 'pk')) {
      const on = (
        await db.query<{ name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [index.name])
      ).map((c) => c.name)
      if (index.unique) table.unique.push(`(${on})`)
      else table.indexes.push(`${index.name} (${on})`)
    }

    const fks = await db.query<{ id: number; table: string; from: string; to: string; on_delete: string }>(
      'SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq',
      [t]
    )
    for (const id of new Set(fks.map((f) => f.id))) {
      const parts = fks.filter((f) => f.id === id)
      const [{ table: target, on_delete: onDelete }] = parts as [(typeof parts)[0]]
      table.foreignKeys.push(
        `(${parts.map((f) => f.from)}) -> ${target} (${parts.map((f) => f.to)}) on delete ${onDelete.toLowerCase()}`
      )
    }
  }
  return finish(shape)
}

/** Every way two shapes differ, one line each; empty when they are equal. */
export function shapeDifferences (a: Shape, b: Shape, [nameA, nameB]: [string, string]): string[] {
  const out: string[] = []
  const only = (x: Record<string, unknown>, y: Record<string, unknown>, name: string, prefix: string) =>
    Object.keys(x)
      .filter((k) => !(k in y))
      .map((k) => `${prefix}${k}: only in ${name}`)
  out.push(...only(a, b, nameA, 'table '), ...only(b, a, nameB, 'table '))
  for (const t of Object.keys(a)
    .filter((k) => k in b)
    .sort()) {
    const [ta, tb] = [a[t]!, b[t]!]
    out.push(...only(ta.columns, tb.columns, nameA, `${t}.`), ...only(tb.columns, ta.columns, nameB, `${t}.`))
    for (const c of Object.keys(ta.columns).filter((k) => k in tb.columns)) {
      if (ta.columns[c] === tb.columns[c]) continue
      out.push(`${t}.${c}: ${ta.columns[c]} in ${nameA}, ${tb.columns[c]} in ${nameB}`)
    }
    if (ta.primaryKey !== tb.primaryKey) {
      out.push(`${t} primary key: ${ta.primaryKey || 'none'} in ${nameA}, ${tb.primaryKey || 'none'} in ${nameB}`)
    }
    for (const part of ['unique', 'indexes', 'foreignKeys'] as const) {
      out.push(...ta[part].filter((x) => !tb[part].includes(x)).map((x) => `${t} ${part}: ${x} only in ${nameA}`))
      out.push(...tb[part].filter((x) => !ta[part].includes(x)).map((x) => `${t} ${part}: ${x} only in ${nameB}`))
    }
  }
  return out
}
