/**
 * Policies are registered here and loaded lazily by the bouncer.
 */
export const policies = {
  WorkspacePolicy: () => import('#policies/workspace_policy'),
  ProjectPolicy: () => import('#policies/project_policy'),
}
