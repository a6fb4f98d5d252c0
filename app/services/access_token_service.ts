import User from '#models/user'

export type TokenSummary = {
  id: number
  name: string | null
  created_at: string | null
  last_used_at: string | null
  expires_at: string | null
}

/**
 * Personal API access tokens: opaque, shown once, stored hashed, named,
 * optionally expiring, revocable.
 */
export default class AccessTokenService {
  async create(user: User, name: string, expiresInDays?: number) {
    const token = await User.accessTokens.create(user, ['*'], {
      name,
      expiresIn: expiresInDays ? `${expiresInDays} days` : undefined,
    })
    return { token, secret: token.value!.release() }
  }

  async list(user: User): Promise<TokenSummary[]> {
    const tokens = await User.accessTokens.all(user)
    return tokens.map((token) => ({
      id: Number(token.identifier),
      name: token.name,
      created_at: token.createdAt?.toISOString() ?? null,
      last_used_at: token.lastUsedAt?.toISOString() ?? null,
      expires_at: token.expiresAt?.toISOString() ?? null,
    }))
  }

  /**
   * Revokes one of the user's tokens. A token id of someone else is
   * reported as not found (never deleted).
   */
  async revoke(user: User, id: number): Promise<boolean> {
    const deleted = await User.accessTokens.delete(user, id)
    return deleted > 0
  }
}
