/**
 * Errors of the project repositories. Every message is meant to be shown to a
 * user as is: it never contains a token, and names the file or version at fault.
 */
export class RepositoryError extends Error {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** `main` moved between reading it and updating it (another process committed). */
export class RepositoryConflictError extends RepositoryError {
  constructor(message = 'the project changed while this change was being saved; nothing was written, try again') {
    super(message, 'E_REPOSITORY_CONFLICT')
  }
}

export class VersionNotFoundError extends RepositoryError {
  constructor(version: string) {
    super(`unknown version "${version.slice(0, 64)}"`, 'E_VERSION_NOT_FOUND')
  }
}

export class InvalidPathError extends RepositoryError {
  constructor(reason: string) {
    super(reason, 'E_INVALID_PATH')
  }
}

export class RepositoryNotInitializedError extends RepositoryError {
  constructor(projectId: string) {
    super(`the repository of project ${projectId} does not exist yet`, 'E_REPOSITORY_MISSING')
  }
}

/** A refused remote URL, token or branch (nothing was sent). */
export class InvalidRemoteError extends RepositoryError {
  constructor(reason: string) {
    super(reason, 'E_INVALID_REMOTE')
  }
}

/**
 * `git push` failed. The message is for the user and never holds git's own
 * words (which would tell a prober what answered on an address and port);
 * `detail` is git's output with every secret removed, for the platform log.
 */
export class PushError extends RepositoryError {
  constructor(
    message: string,
    readonly detail = ''
  ) {
    super(message, 'E_PUSH_FAILED')
  }
}

/** A git command failed; `detail` is its stderr (already scrubbed of secrets). */
export class GitCommandError extends RepositoryError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly detail: string
  ) {
    const first = detail.trim().split('\n').slice(0, 5).join('\n')
    super(`git ${command} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${first}`, 'E_GIT')
  }
}
