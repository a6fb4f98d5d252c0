import db from '@adonisjs/lucid/services/db'
import type { WorkspaceRole } from '#models/workspace'

/**
 * The user's role in a workspace, or null when they are not a member.
 * Every ownership check (policies, scoped queries) goes through
 * workspace_members.
 */
export async function memberRole(userId: number, workspaceId: number): Promise<WorkspaceRole | null> {
  const row = await db.from('workspace_members').where({ workspace_id: workspaceId, user_id: userId }).select('role').first()
  return row?.role ?? null
}

export function canManage(role: WorkspaceRole | null) {
  return role === 'owner' || role === 'admin'
}
