import type { HttpContext } from '@adonisjs/core/http'
import xbasis, { PLAN_IDS } from '#config/xbasis'

export default class HomeController {
  async show({ view }: HttpContext) {
    const plans = PLAN_IDS.map((id) => ({ id, ...xbasis.plans[id] }))
    return view.render('pages/home', { plans })
  }
}
