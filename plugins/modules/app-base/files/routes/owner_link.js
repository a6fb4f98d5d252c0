// GET /__owner?token=…: the owner's one-click link from the xBasis editor. A valid link (signed by
// the platform, not expired, not used before) sets the owner cookie and leads to the owner page it
// names; anything else is refused with 403 and sets nothing. See lib/admin_auth.js for the format.
import { redirect, setCookie } from '../lib/http.js'
import { OWNER_COOKIE, OWNER_SESSION_SECONDS, acceptOwnerToken, ownerSessionValue } from '../lib/admin_auth.js'

export function register(router) {
  router.get('/__owner', (req, res) => {
    // The token is in the URL: no cache keeps the answer, no Referer carries it on.
    res.setHeader('cache-control', 'no-store')
    res.setHeader('referrer-policy', 'no-referrer')
    const next = acceptOwnerToken(req.query.get('token'))
    setCookie(res, req, OWNER_COOKIE, ownerSessionValue(), { maxAge: OWNER_SESSION_SECONDS })
    redirect(res, next)
  })

  // Signing out of the owner pages on this browser.
  router.post('/__owner/logout', (req, res) => {
    setCookie(res, req, OWNER_COOKIE, '', { maxAge: 0 })
    redirect(res, '/')
  })
}
