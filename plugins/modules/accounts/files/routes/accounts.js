// Sign up, log in, log out and an account page. Failed logins are throttled per e-mail and address.
import { HttpError, field, isEmail, readBody, redirect, sendHtml, sendJson } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { currentUser, endSession, hashPassword, spendPasswordTime, startSession, verifyPassword } from '../lib/accounts.js'
import { store } from '../lib/store.js'
import { formatDate, translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Sign up": "Регистрация",
    "Log in": "Войти",
    "Create your account": "Создайте аккаунт",
    "E-mail": "Эл. почта",
    "Password": "Пароль",
    "Already have an account?": "Уже есть аккаунт?",
    "No account yet?": "Ещё нет аккаунта?",
    "Please enter a valid e-mail address.": "Пожалуйста, введите правильный адрес эл. почты.",
    "The password needs at least {n} characters.": "Пароль должен быть не короче {n} символов.",
    "The password is longer than 200 characters.": "Пароль длиннее 200 символов.",
    "An account with this e-mail exists. Log in instead.": "Аккаунт с этим адресом уже есть. Войдите.",
    "Wrong e-mail or password.": "Неверный адрес или пароль.",
    "Too many failed attempts. Try again in 15 minutes.": "Слишком много неудачных попыток. Попробуйте через 15 минут.",
    "Your account": "Ваш аккаунт",
    "Logged in as": "Вы вошли как",
    "Log out": "Выйти",
  },
})

const MAX_FAILURES = 10
const LOCK_MS = 15 * 60_000
const failures = new Map()

function throttleKey(req, email) {
  return `${email}|${req.socket.remoteAddress}`
}

function checkThrottle(key) {
  const entry = failures.get(key)
  if (entry && entry.count >= MAX_FAILURES && Date.now() - entry.last < LOCK_MS) {
    throw new HttpError(429, t('Too many failed attempts. Try again in 15 minutes.'), { headers: { 'retry-after': String(LOCK_MS / 1000) } })
  }
}

function recordFailure(key) {
  const entry = failures.get(key) ?? { count: 0, last: 0 }
  failures.set(key, { count: entry.count + 1, last: Date.now() })
  // Keep the map small: forget entries older than the lock.
  if (failures.size > 10_000) {
    for (const [k, v] of failures) if (Date.now() - v.last > LOCK_MS) failures.delete(k)
  }
}

export function register(router, ctx) {
  const params = ctx.params('accounts')
  const minLength = Number(params.min_password_length) || 8
  const afterLogin = safeUrl(params.after_login_path || '/account')
  if (params.allow_signup !== false) ctx.addNavLink('/signup', t('Sign up'), 80)
  ctx.addNavLink('/login', t('Log in'), 81)

  function authForm({ mode, email = '', errors = [] }) {
    const signup = mode === 'signup'
    return page({
      title: signup ? t('Sign up') : t('Log in'),
      body: html`<section class="card">
<h1>${signup ? t('Create your account') : t('Log in')}</h1>
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="${signup ? '/signup' : '/login'}">
<label>${t('E-mail')} <input name="email" type="email" maxlength="254" required value="${email}" autocomplete="email"></label>
<label>${t('Password')} <input name="password" type="password" minlength="${signup ? minLength : 1}" maxlength="200" required autocomplete="${signup ? 'new-password' : 'current-password'}"></label>
<button type="submit">${signup ? t('Sign up') : t('Log in')}</button>
</form>
<p class="muted">${signup ? html`${t('Already have an account?')} <a href="/login">${t('Log in')}</a>` : params.allow_signup !== false ? html`${t('No account yet?')} <a href="/signup">${t('Sign up')}</a>` : ''}</p>
</section>`,
    })
  }

  async function readCredentials(req) {
    const body = await readBody(req, { limit: 10_000 })
    return { email: field(body, 'email', 300).toLowerCase(), password: typeof body.password === 'string' ? body.password : '' }
  }

  if (params.allow_signup !== false) {
    router.get('/signup', (req, res) => sendHtml(res, authForm({ mode: 'signup' })))
    router.post('/signup', async (req, res) => {
      const { email, password } = await readCredentials(req)
      const errors = []
      if (!isEmail(email)) errors.push(t('Please enter a valid e-mail address.'))
      if (password.length < minLength) errors.push(t('The password needs at least {n} characters.', { n: minLength }))
      if (password.length > 200) errors.push(t('The password is longer than 200 characters.'))
      if (errors.length) return sendHtml(res, authForm({ mode: 'signup', email, errors }), 422)
      const hash = await hashPassword(password)
      const users = await store.collection('users')
      // Checked after hashing (which awaits) and right before the insert: no duplicate can slip in.
      if (users.find((u) => u.email === email)) {
        return sendHtml(res, authForm({ mode: 'signup', email, errors: [t('An account with this e-mail exists. Log in instead.')] }), 422)
      }
      const user = await users.insert({ email, password_hash: hash })
      await startSession(req, res, user)
      redirect(res, afterLogin)
    })
  }

  router.get('/login', (req, res) => sendHtml(res, authForm({ mode: 'login' })))
  router.post('/login', async (req, res) => {
    const { email, password } = await readCredentials(req)
    const key = throttleKey(req, email)
    checkThrottle(key)
    const user = (await store.collection('users')).find((u) => u.email === email)
    const valid = user ? await verifyPassword(password, user.password_hash) : (await spendPasswordTime(password), false)
    if (!valid) {
      recordFailure(key)
      return sendHtml(res, authForm({ mode: 'login', email, errors: [t('Wrong e-mail or password.')] }), 401)
    }
    failures.delete(key)
    await startSession(req, res, user)
    redirect(res, afterLogin)
  })

  router.post('/logout', async (req, res) => {
    await endSession(req, res)
    redirect(res, '/')
  })

  router.get('/account', async (req, res) => {
    const user = await currentUser(req)
    if (!user) return redirect(res, '/login')
    sendHtml(res, page({
      title: t('Your account'),
      body: html`<section class="card">
<h1>${t('Your account')}</h1>
<p>${t('Logged in as')} <strong>${user.email}</strong> · ${formatDate(user.created_at.slice(0, 10))}</p>
<form method="post" action="/logout"><button type="submit" class="secondary">${t('Log out')}</button></form>
</section>`,
    }))
  })

  router.get('/api/me', async (req, res) => {
    const user = await currentUser(req)
    if (!user) throw new HttpError(401, 'Not logged in.')
    sendJson(res, { user: { id: user.id, email: user.email, created_at: user.created_at } })
  })
}
