// The app's theme: app-base's colour, radius and font parameters become CSS custom properties in
// /theme.css (the CSP forbids inline styles). Parameters were checked by xBasis, but the config file
// can be edited by hand, so every value is checked again here and a bad one falls back to the
// palette: nothing but a colour, a length or a font list can reach the stylesheet.
import { moduleParams } from './config.js'
import { NAMED_COLORS } from './colors.js'

/** The default palette: light and dark. */
export const LIGHT = { primary: '#4f46e5', background: '#f6f7fb', surface: '#ffffff', text: '#1b1e2b' }
export const DARK = { background: '#0f1117', surface: '#191c26', text: '#e6e8ef' }

export const FONT_STACKS = {
  system: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  sans: 'Inter, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  serif: '"Iowan Old Style", "Palatino Linotype", Palatino, Georgia, "Times New Roman", serif',
  mono: 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace',
  rounded: 'ui-rounded, "SF Pro Rounded", Nunito, "Varela Round", system-ui, sans-serif',
  humanist: 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", sans-serif',
  geometric: 'Avenir, Montserrat, Corbel, "URW Gothic", "Century Gothic", sans-serif',
  slab: 'Rockwell, "Rockwell Nova", "Roboto Slab", "DejaVu Serif", Georgia, serif',
}
const FONT_FAMILIES = /^[A-Za-z][A-Za-z0-9 -]{0,40}(?:,\s*[A-Za-z][A-Za-z0-9 -]{0,40}){0,5}$/
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i

/** A colour parameter as {r, g, b} (0–255), or null when it is not a hex colour or a CSS name. */
export function parseColor(value) {
  if (typeof value !== 'string') return null
  const named = Object.hasOwn(NAMED_COLORS, value.toLowerCase()) ? NAMED_COLORS[value.toLowerCase()] : null
  const hex = named ?? (HEX.test(value) ? value : null)
  if (!hex) return null
  let digits = hex.slice(1)
  if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('')
  return { r: parseInt(digits.slice(0, 2), 16), g: parseInt(digits.slice(2, 4), 16), b: parseInt(digits.slice(4, 6), 16) }
}

function toHex({ r, g, b }) {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`
}

/** `amount` of b mixed into a. */
function mix(a, b, amount) {
  return { r: a.r + (b.r - a.r) * amount, g: a.g + (b.g - a.g) * amount, b: a.b + (b.b - a.b) * amount }
}

/** Relative luminance (WCAG). */
export function luminance({ r, g, b }) {
  const channel = (v) => {
    const s = v / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

const WHITE = { r: 255, g: 255, b: 255 }
const BLACK = { r: 0, g: 0, b: 0 }
const isDark = (color) => luminance(color) < 0.2

function fontStack(value) {
  if (typeof value === 'string' && Object.hasOwn(FONT_STACKS, value)) return FONT_STACKS[value]
  if (typeof value === 'string' && FONT_FAMILIES.test(value)) {
    return `${value.split(',').map((family) => `"${family.trim()}"`).join(', ')}, ${FONT_STACKS.system}`
  }
  return FONT_STACKS.system
}

/**
 * The custom properties of one scheme. Colours the owner did not choose come from the palette of
 * the scheme; when they chose a background, text and surfaces follow its brightness so that text
 * stays readable whatever it is.
 */
export function palette(params, scheme) {
  const custom = {
    background: parseColor(params.color_background),
    surface: parseColor(params.color_surface),
    text: parseColor(params.color_text),
  }
  const background = custom.background ?? parseColor(scheme === 'dark' ? DARK.background : LIGHT.background)
  const dark = isDark(background)
  const base = dark ? DARK : LIGHT
  const surface = custom.surface ?? (custom.background ? mix(background, WHITE, dark ? 0.07 : 0.65) : parseColor(base.surface))
  const text = custom.text ?? parseColor(base.text)
  let primary = parseColor(params.color_primary) ?? parseColor(LIGHT.primary)
  // A primary colour too close to the background is lifted (or darkened) until it stands out.
  for (let step = 0; step < 5 && Math.abs(luminance(primary) - luminance(background)) < 0.12; step++) {
    primary = mix(primary, dark ? WHITE : BLACK, 0.25)
  }
  return {
    'color-scheme': dark ? 'dark' : 'light',
    '--accent': toHex(primary),
    '--accent-dark': toHex(mix(primary, dark ? WHITE : BLACK, 0.18)),
    '--accent-soft': toHex(mix(surface, primary, dark ? 0.22 : 0.1)),
    '--on-accent': luminance(primary) > 0.45 ? '#111318' : '#ffffff',
    '--bg': toHex(background),
    '--surface': toHex(surface),
    '--text': toHex(text),
    '--muted': toHex(mix(text, background, 0.38)),
    '--line': toHex(mix(text, background, 0.84)),
    '--danger': dark ? '#f87171' : '#b91c1c',
    '--danger-soft': toHex(mix(surface, parseColor(dark ? '#f87171' : '#dc2626'), 0.12)),
    '--success-soft': toHex(mix(surface, parseColor(dark ? '#34d399' : '#10b981'), 0.14)),
  }
}

function block(selector, properties) {
  return `${selector} {\n${Object.entries(properties).map(([name, value]) => `  ${name}: ${value};`).join('\n')}\n}\n`
}

/** The whole of /theme.css. */
export function themeCss(params = moduleParams('app-base')) {
  const mode = ['light', 'dark', 'auto'].includes(params.theme_mode) ? params.theme_mode : 'auto'
  const radius = Number.isFinite(Number(params.radius)) ? Math.min(32, Math.max(0, Number(params.radius))) : 12
  const shared = { '--radius': `${radius}px`, '--font': fontStack(params.font) }
  const chosenBackground = ['color_background', 'color_surface', 'color_text'].some((name) => parseColor(params[name]))
  const css = [
    '/* Generated from the theme parameters of app-base (xbasis.config.json). */\n',
    block(':root', { ...shared, ...palette(params, mode === 'dark' ? 'dark' : 'light') }),
  ]
  // "auto" follows the visitor's system setting, unless the owner picked the colours themselves.
  if (mode === 'auto' && !chosenBackground) {
    css.push(`@media (prefers-color-scheme: dark) {\n${block(':root', palette(params, 'dark'))}}\n`)
  }
  return css.join('')
}
