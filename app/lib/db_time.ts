import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'

/**
 * A timestamp for query-builder writes, in the format the connection's
 * dialect stores (the ORM does this for models; raw queries must do it
 * themselves: SQLite would otherwise store a JS Date as a number, which the
 * models cannot read back).
 */
export function dbTime(date: Date | DateTime = new Date()): string {
  const value = date instanceof Date ? DateTime.fromJSDate(date) : date
  // The same zone the ORM writes in (the process's), so both read back alike.
  return value.toFormat(db.connection().dialect.dateTimeFormat)
}

/**
 * Reads a timestamp column from a raw query (string or Date, by dialect).
 */
export function fromDbTime(value: string | Date | number): Date {
  if (value instanceof Date) return value
  if (typeof value === 'number') return new Date(value)
  // "yyyy-MM-dd HH:mm:ss" (SQLite) carries no zone: the process's, as written.
  return /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? new Date(value) : new Date(value.replace(' ', 'T'))
}
