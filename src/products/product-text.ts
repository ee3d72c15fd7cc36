import { ApiError, Errors } from '../errors.js'

/**
 * Never in a name: controls, format characters (bidi controls, zero-width ones), lone surrogates, line and paragraph
 * separators.
 */
const NOT_IN_NAME = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u
/**
 * What shows nothing: white space, default-ignorable code points (U+3164, U+115F, U+FFA0, U+200B ...), the blank
 * Braille pattern.
 */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu
/**
 * Never in a description: controls but tab and line breaks, lone surrogates, and the bidi controls
 * that reorder what a reader sees (Trojan Source); other format characters (ZWJ in emoji, ZWNJ) stay.
 */
const NOT_IN_DESCRIPTION =
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  /[\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u

const refuse = (field: string, message: string) =>
  new ApiError(400, Errors.validation.code, Errors.validation.title, `Invalid ${field}: ${message}`, {}, [
    { pointer: `/body/${field}`, message }
  ])

/** A product name as stored: NFC, trimmed; refused when it holds a forbidden character or shows nothing. */
export function productName (name: string): string {
  if (NOT_IN_NAME.test(name)) {
    throw refuse(
      'name',
      'must not contain control or format characters (bidi controls, zero-width characters) or lone surrogates'
    )
  }
  const clean = name.normalize('NFC').trim()
  if (clean.replace(INVISIBLE, '') === '') throw refuse('name', 'must contain a visible character')
  return clean
}

/** A description as stored: NFC; refused when it holds a control, a bidi control or a lone surrogate. */
export function productDescription (description: string): string {
  if (NOT_IN_DESCRIPTION.test(description)) {
    throw refuse(
      'description',
      'must not contain control characters (but tab and line breaks), bidi controls or lone surrogates'
    )
  }
  return description.normalize('NFC')
}
