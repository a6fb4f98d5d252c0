import registry from '#plugins/registry'
import { PluginManager } from '#plugins/plugin_manager'
import type { DeployTarget } from '#deploy/contract'

/**
 * The manager of deploy-target plugins: `deploy.use('process')`,
 * `deploy.fake(id, driver)`, `deploy.restore()`.
 */
const deploy = new PluginManager<DeployTarget>('deploy-target', registry)
export default deploy
