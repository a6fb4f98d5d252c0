import type User from '#models/user'
import type Workspace from '#models/workspace'

/**
 * The JSON shape of a user in the API (snake_case keys, as the seed's API).
 * `plan` and `tokens_balance` come from the user's personal workspace.
 */
export function presentUser(user: User, workspace: Workspace) {
  return {
    id: user.id,
    email: user.email,
    name: user.fullName,
    is_admin: user.isAdmin,
    email_verified: Boolean(user.emailVerifiedAt),
    plan: workspace.plan,
    tokens_balance: workspace.tokensBalance,
    workspace: {
      id: workspace.id,
      name: workspace.name,
      slug: workspace.slug,
      plan: workspace.plan,
      tokens_balance: workspace.tokensBalance,
    },
    created_at: user.createdAt.toISO(),
  }
}
