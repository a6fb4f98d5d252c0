/**
 * Records written through a generated app and read back through it: a CRUD
 * item (`/api/tasks`), a waitlist sign-up and a contact message, the kinds
 * of data a visitor or the owner saves (issue 11: the app's data outlives
 * its deployments).
 */

/** What the offline builder turns into an app with a waitlist, a contact form and a "tasks" CRUD resource. */
export const DATA_APP_REQUEST = 'a landing page with a waitlist, a contact form and tasks with title'

/** Where a path of the app is (through the platform, or the app's own URL). */
export type AppAt = (path: string) => string

const JSON_HEADERS = { 'content-type': 'application/json', 'accept': 'application/json' }
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`owner:${password}`).toString('base64')}` })

/** Writes one record of each kind, tagged `tag`; each must be acknowledged (201). */
export async function writeAppRecords(at: AppAt, adminPassword: string, tag: string, assert?: { equal: (a: unknown, b: unknown, m?: string) => void }) {
  const answers = await Promise.all([
    fetch(at('/api/tasks'), { method: 'POST', headers: { ...JSON_HEADERS, ...basic(adminPassword) }, body: JSON.stringify({ title: tag }) }),
    fetch(at('/api/waitlist'), { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ email: `${tag}@example.com` }) }),
  ])
  // The contact message after the others: the lists below are in the order of writing.
  answers.push(await fetch(at('/contact'), { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name: 'Visitor', email: `${tag}@example.com`, message: `Hello from ${tag}` }) }))
  for (const answer of answers) {
    const text = await answer.text()
    if (assert) assert.equal(answer.status, 201, `${answer.url}: ${text.slice(0, 300)}`)
    else if (answer.status !== 201) throw new Error(`${answer.url} answered ${answer.status}: ${text.slice(0, 300)}`)
  }
}

async function list(at: AppAt, path: string, adminPassword: string): Promise<any[]> {
  const answer = await fetch(at(path), { headers: { accept: 'application/json', ...basic(adminPassword) } })
  const text = await answer.text()
  if (answer.status !== 200) throw new Error(`${at(path)} answered ${answer.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text)
}

/** The app's records, read through the app, oldest first. */
export async function appRecords(at: AppAt, adminPassword: string) {
  const byTime = (rows: any[]) => [...rows].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))
  const [items, waitlist, contact] = await Promise.all([
    list(at, '/api/tasks', adminPassword),
    list(at, '/waitlist/entries', adminPassword),
    list(at, '/contact/submissions', adminPassword),
  ])
  return {
    items: byTime(items).map((row) => row.title),
    waitlist: byTime(waitlist).map((row) => row.email),
    contact: byTime(contact).map((row) => row.message),
  }
}
