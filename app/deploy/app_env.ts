/**
 * Which environment variable names an app may be given. The rule is an
 * allow-list: a name must match a plain pattern (capital letters, digits and
 * underscores, starting with a letter, at most 128 characters) and must not
 * belong to a family that something other than the app's own code reads —
 * the platform (it sets them), Node.js and libuv, the dynamic loader and the
 * C library, OpenSSL, npm and the other package managers, shells and other
 * language runtimes. Those families change what the runtime loads or trusts
 * (`OPENSSL_CONF` and `LD_PRELOAD` load native code outside Node's permission
 * model, `PREFIX` picks the npm config `npm install` reads), so a project can
 * never set them, whatever the name looks like. Everything else is the app's.
 *
 * Used by the project env API and page (422 with the reason), when a deploy
 * reads the stored variables (a row stored before a family was added never
 * reaches an app), and by the process target on what it is given (start
 * script assignments included).
 */

export const APP_ENV_NAME = /^[A-Z][A-Z0-9_]*$/
export const APP_ENV_NAME_MAX = 128

type Family = { names?: string[]; prefixes?: string[]; reason: string }

/** Set by the platform or the deploy target for every app. */
const PLATFORM_SET: Family = {
  names: ['PORT', 'HOST', 'NODE_ENV', 'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'TMPDIR', 'TMP', 'TEMP', 'TEMPDIR', 'HOSTNAME'],
  reason: 'the platform sets it for every app',
}

/** The platform's own variables (XBASIS_FRAME_ANCESTORS is set by the platform for previews). */
const PLATFORM_OWN: Family = { prefixes: ['XBASIS_'], reason: "it is one of the platform's own variables" }

/**
 * Families the runtime interprets. Sources: Node.js's CLI documentation
 * (NODE_*, UV_*, OPENSSL_CONF, SSL_CERT_*), glibc's list of variables it
 * ignores in privileged programs (unsecvars.h: LD_*, GCONV_PATH, LOCPATH,
 * HOSTALIASES, MALLOC_*, NLSPATH, RES_OPTIONS, TZDIR…), OpenSSL's
 * (OPENSSL_*, CTLOG_FILE), ICU's (ICU_DATA) and npm's (npm_config_*, PREFIX).
 */
const RUNTIME: Family[] = [
  { prefixes: ['NODE_', 'UV_', 'ICU_'], reason: 'Node.js reads it when the app starts' },
  {
    names: ['GCONV_PATH', 'GETCONF_DIR', 'HOSTALIASES', 'LOCALDOMAIN', 'LOCPATH', 'NIS_PATH', 'NLSPATH', 'RESOLV_HOST_CONF', 'RES_OPTIONS', 'TZDIR', 'GLIBC_TUNABLES'],
    prefixes: ['LD_', 'DYLD_', 'MALLOC_', 'GLIBC_'],
    reason: 'the system loader or C library reads it (it can load native code into the app)',
  },
  {
    names: ['CTLOG_FILE', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE'],
    prefixes: ['OPENSSL_', 'SSL_CERT_', 'GNUTLS_'],
    reason: 'OpenSSL reads it (it can load native code or change the trusted certificates)',
  },
  {
    names: ['PREFIX'],
    prefixes: ['NPM_', 'YARN_', 'PNPM_', 'COREPACK_', 'XDG_', 'GIT_'],
    reason: "npm or git reads it while the app's dependencies are installed",
  },
  {
    names: ['BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'IFS', 'PS4', 'CDPATH', 'CLASSPATH', 'JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS', 'RUBYOPT', 'RUBYLIB'],
    prefixes: ['BASH_FUNC_', 'PYTHON', 'PERL', 'GEM_', 'LUA_'],
    reason: 'a shell or another language runtime reads it',
  },
]

function familyOf(name: string, families: Family[]): Family | undefined {
  const upper = name.toUpperCase()
  return families.find((family) => family.names?.includes(upper) || family.prefixes?.some((prefix) => upper.startsWith(prefix)))
}

/**
 * Why a project may not set this variable, or null when it may. The
 * message is shown to the user as it is.
 */
export function appEnvNameProblem(name: string): string | null {
  if (!APP_ENV_NAME.test(name) || name.length > APP_ENV_NAME_MAX) {
    return 'Use capital letters, digits and underscores, starting with a letter (e.g. STRIPE_KEY), at most 128 characters'
  }
  const family = familyOf(name, [PLATFORM_SET, PLATFORM_OWN, ...RUNTIME])
  return family ? `${name} is reserved: ${family.reason}` : null
}

export function isAllowedAppEnvName(name: string) {
  return appEnvNameProblem(name) === null
}

/**
 * What a deploy target checks on the environment the platform gives it:
 * the platform's own XBASIS_* variables are allowed here (the platform set
 * them), a name the runtime interprets or the target sets never is.
 */
export function runtimeEnvNameProblem(name: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > APP_ENV_NAME_MAX) return `"${name.slice(0, 140)}" is not a valid environment variable name`
  const family = familyOf(name, [PLATFORM_SET, ...RUNTIME])
  return family ? `${name} is reserved: ${family.reason}` : null
}
