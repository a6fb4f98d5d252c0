/**
 * The usage chart of the billing page as inline SVG, drawn on the server
 * (no JavaScript): one stacked bar per day (balance tokens spent, one
 * colour per project) and a line for the money those tokens were worth.
 * Every label is escaped; the page shows the same numbers as a table.
 */
export type UsageSeries = {
  per_day: Array<{ day: string; tokens: number; usd: number; projects: Array<{ project_id: number | null; tokens: number; usd: number }> }>
  per_project: Array<{ project_id: number | null; project_name: string; tokens: number; usd: number }>
}

const COLORS = ['#4f46e5', '#0891b2', '#16a34a', '#ca8a04', '#dc2626', '#9333ea', '#db2777', '#475569']

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

const compact = (value: number) => (value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : String(Math.round(value)))

/** The colour of each project in the chart and its legend (by position in per_project). */
export function projectColors(usage: UsageSeries): Map<string, string> {
  return new Map(usage.per_project.map((p, index) => [String(p.project_id ?? 'none'), COLORS[index % COLORS.length]]))
}

export function usageChartSvg(usage: UsageSeries, options: { width?: number; height?: number } = {}): string {
  const width = options.width ?? 720
  const height = options.height ?? 240
  const pad = { top: 16, right: 56, bottom: 28, left: 56 }
  const plotW = width - pad.left - pad.right
  const plotH = height - pad.top - pad.bottom
  const days = usage.per_day
  const maxTokens = Math.max(1, ...days.map((d) => d.tokens))
  const maxUsd = Math.max(0.000001, ...days.map((d) => d.usd))
  const slot = plotW / Math.max(1, days.length)
  const barW = Math.max(1, slot * 0.7)
  const colors = projectColors(usage)
  const names = new Map(usage.per_project.map((p) => [String(p.project_id ?? 'none'), p.project_name]))

  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="usage-chart-title" data-test="usage-chart">`,
    `<title id="usage-chart-title">Balance tokens spent per day, by project, and their value in US dollars</title>`
  )
  // Grid and axes: tokens on the left, dollars on the right.
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + plotH - (plotH * i) / 4
    parts.push(`<line x1="${pad.left}" y1="${y}" x2="${pad.left + plotW}" y2="${y}" stroke="#e2e8f0" stroke-width="1"/>`)
    parts.push(`<text x="${pad.left - 6}" y="${y + 4}" text-anchor="end" font-size="10" fill="#64748b">${compact((maxTokens * i) / 4)}</text>`)
    parts.push(`<text x="${pad.left + plotW + 6}" y="${y + 4}" font-size="10" fill="#64748b">$${((maxUsd * i) / 4).toFixed(maxUsd < 1 ? 3 : 2)}</text>`)
  }
  days.forEach((day, index) => {
    const x = pad.left + index * slot + (slot - barW) / 2
    let y = pad.top + plotH
    for (const project of day.projects) {
      if (project.tokens <= 0) continue
      const h = (plotH * project.tokens) / maxTokens
      y -= h
      const key = String(project.project_id ?? 'none')
      parts.push(
        `<rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${barW.toFixed(2)}" height="${h.toFixed(2)}" fill="${colors.get(key) ?? COLORS[0]}" data-day="${day.day}">` +
          `<title>${escape(`${day.day} · ${names.get(key) ?? 'Project'}: ${project.tokens.toLocaleString('en-US')} tokens ($${project.usd.toFixed(4)})`)}</title></rect>`
      )
    }
    const every = Math.max(1, Math.ceil(days.length / 8))
    if (index % every === 0) {
      parts.push(`<text x="${(x + barW / 2).toFixed(2)}" y="${height - 8}" text-anchor="middle" font-size="10" fill="#64748b">${day.day.slice(5)}</text>`)
    }
  })
  const points = days
    .map((day, index) => `${(pad.left + index * slot + slot / 2).toFixed(2)},${(pad.top + plotH - (plotH * day.usd) / maxUsd).toFixed(2)}`)
    .join(' ')
  if (days.length) parts.push(`<polyline points="${points}" fill="none" stroke="#0f172a" stroke-width="1.5" data-test="usage-money-line"/>`)
  parts.push(`<text x="${pad.left}" y="11" font-size="10" fill="#64748b">tokens</text>`)
  parts.push(`<text x="${pad.left + plotW}" y="11" text-anchor="end" font-size="10" fill="#64748b">US$ (line)</text>`)
  parts.push('</svg>')
  return parts.join('')
}
