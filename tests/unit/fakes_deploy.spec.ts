import { test } from '@japa/runner'
import { gzipSync } from 'node:zlib'
import { FakeRailwayServer } from '#tests/fakes/railway_server'
import { tar } from '../../plugins/railway/tarball.js'
import { FakeVercelServer } from '#tests/fakes/vercel_server'

/**
 * The deploy fakes, driven with plain fetch as the platform will drive the
 * real services: their happy paths, and the failures a deploy pipeline must
 * handle (auth, validation, failed builds, rate limits).
 */

const RAILWAY_TOKEN = 'rw-test-0123456789'
const VERCEL_TOKEN = 'vc-test-0123456789'
const TEAM = 'team_fake0123456789'

async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = RAILWAY_TOKEN
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as any }
}

const PROJECT_CREATE = `
  mutation ProjectCreate($name: String) {
    projectCreate(input: { name: $name }) { id name environments { edges { node { id name } } } }
  }`
const SERVICE_CREATE = `
  mutation ServiceCreate($projectId: String!, $environmentId: String, $name: String, $source: ServiceSourceInput) {
    serviceCreate(input: { projectId: $projectId, environmentId: $environmentId, name: $name, source: $source }) { id name }
  }`
const VARIABLES_UPSERT = `
  mutation VariableCollectionUpsert($projectId: String!, $environmentId: String!, $serviceId: String!, $variables: EnvironmentVariables!) {
    variableCollectionUpsert(input: { projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, variables: $variables, skipDeploys: true })
  }`
const DEPLOY = `
  mutation ServiceInstanceDeploy($environmentId: String!, $serviceId: String!) {
    serviceInstanceDeployV2(environmentId: $environmentId, serviceId: $serviceId)
  }`
const DEPLOYMENT = `
  query Deployment($id: String!) { deployment(id: $id) { id status url staticUrl } }`
const BUILD_LOGS = `
  query BuildLogs($deploymentId: String!, $limit: Int) {
    buildLogs(deploymentId: $deploymentId, limit: $limit) { ...LogFields }
  }
  fragment LogFields on Log { message timestamp severity }`
const DEPLOY_LOGS = `
  query DeployLogs($deploymentId: String!) { deploymentLogs(deploymentId: $deploymentId) { message timestamp severity } }`

test.group('Fake Railway server', (group) => {
  const railway = new FakeRailwayServer({ token: RAILWAY_TOKEN })
  group.setup(() => railway.start())
  group.teardown(() => railway.close())
  group.each.setup(() => {
    railway.reset()
    railway.advanceOnPoll = false
  })

  /** A project with a service from a repo; the ids a deploy needs. */
  async function setUp() {
    const project = await graphql(railway.url, PROJECT_CREATE, { name: 'landing' })
    const projectId = project.body.data.projectCreate.id as string
    const environmentId = project.body.data.projectCreate.environments.edges[0].node.id as string
    const service = await graphql(railway.url, SERVICE_CREATE, {
      projectId,
      environmentId,
      name: 'web',
      source: { repo: 'acme/landing' },
    })
    return { projectId, environmentId, serviceId: service.body.data.serviceCreate.id as string }
  }

  test('project, service, variables, deploy: the status goes QUEUED to SUCCESS', async ({ assert }) => {
    const { projectId, environmentId, serviceId } = await setUp()
    assert.equal(railway.projects.get(projectId)?.environments[0].name, 'production')

    const upsert = await graphql(railway.url, VARIABLES_UPSERT, {
      projectId,
      environmentId,
      serviceId,
      variables: { NODE_ENV: 'production', PORT: '3000' },
    })
    assert.deepEqual(upsert.body, { data: { variableCollectionUpsert: true } })
    assert.deepEqual(railway.variablesOf(serviceId, environmentId), { NODE_ENV: 'production', PORT: '3000' })

    const deploy = await graphql(railway.url, DEPLOY, { environmentId, serviceId })
    const id = deploy.body.data.serviceInstanceDeployV2
    assert.isString(id)

    const seen: string[] = []
    for (let i = 0; i < 5; i++) {
      const polled = await graphql(railway.url, DEPLOYMENT, { id })
      seen.push(polled.body.data.deployment.status)
      if (i === 4) {
        // No public domain yet: no URL, as on Railway.
        const { url, staticUrl } = polled.body.data.deployment
        assert.isNull(staticUrl)
        assert.isNull(url)
      }
      railway.advance(id)
    }
    assert.deepEqual(seen, ['QUEUED', 'INITIALIZING', 'BUILDING', 'DEPLOYING', 'SUCCESS'])

    const logs = await graphql(railway.url, BUILD_LOGS, { deploymentId: id })
    assert.isAbove(logs.body.data.buildLogs.length, 1)
    for (const entry of logs.body.data.buildLogs) {
      assert.containsSubset(entry, { severity: 'info' })
      assert.isFalse(Number.isNaN(Date.parse(entry.timestamp)))
      assert.isString(entry.message)
    }
    const limited = await graphql(railway.url, BUILD_LOGS, { deploymentId: id, limit: 1 })
    assert.lengthOf(limited.body.data.buildLogs, 1)

    // A second successful deployment retires the first one.
    const second = await graphql(railway.url, DEPLOY, { environmentId, serviceId })
    railway.settle(second.body.data.serviceInstanceDeployV2)
    assert.equal(railway.status(id), 'REMOVED')
  })

  test('serviceDomainCreate: one Railway-provided domain per service, listed by domains, the deployment URL', async ({ assert }) => {
    const { projectId, environmentId, serviceId } = await setUp()
    const DOMAINS = `query Domains($projectId: String!, $environmentId: String!, $serviceId: String!) {
      domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) { serviceDomains { id domain } customDomains { id } } }`
    const CREATE = `mutation CreateDomain($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) { id domain serviceId environmentId } }`
    const none = await graphql(railway.url, DOMAINS, { projectId, environmentId, serviceId })
    assert.deepEqual(none.body.data.domains, { serviceDomains: [], customDomains: [] })
    const created = await graphql(railway.url, CREATE, { input: { serviceId, environmentId } })
    const domain = created.body.data.serviceDomainCreate
    assert.match(domain.domain, /^web-production-[a-z0-9]+\.up\.railway\.app$/)
    assert.containsSubset(domain, { serviceId, environmentId })
    const listed = await graphql(railway.url, DOMAINS, { projectId, environmentId, serviceId })
    assert.deepEqual(listed.body.data.domains.serviceDomains, [{ id: domain.id, domain: domain.domain }])
    const second = await graphql(railway.url, CREATE, { input: { serviceId, environmentId } })
    assert.match(second.body.errors[0].message, /only have one Railway-provided domain/)

    const deploy = await graphql(railway.url, DEPLOY, { environmentId, serviceId })
    const polled = await graphql(railway.url, DEPLOYMENT, { id: deploy.body.data.serviceInstanceDeployV2 })
    assert.equal(polled.body.data.deployment.staticUrl, domain.domain)
  })

  test('serviceInstanceUpdate sets the health check path; projectDelete removes the project and its services', async ({ assert }) => {
    const { projectId, environmentId, serviceId } = await setUp()
    const UPDATE = `mutation Update($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) {
      serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input) }`
    const updated = await graphql(railway.url, UPDATE, { serviceId, environmentId, input: { healthcheckPath: '/health' } })
    assert.deepEqual(updated.body, { data: { serviceInstanceUpdate: true } })
    assert.equal(railway.services.get(serviceId)!.settings.get(environmentId)!.healthcheckPath, '/health')
    const unknown = await graphql(railway.url, UPDATE, { serviceId, environmentId, input: { healthCheck: '/health' } })
    assert.match(unknown.body.errors[0].message, /Field "healthCheck" is not defined by type "ServiceInstanceUpdateInput"/)

    const PROJECTS = `query Projects { projects { edges { node { id name } } } }`
    assert.deepEqual((await graphql(railway.url, PROJECTS)).body.data.projects.edges, [{ node: { id: projectId, name: 'landing' } }])
    const deleted = await graphql(railway.url, `mutation Delete($id: String!) { projectDelete(id: $id) }`, { id: projectId })
    assert.deepEqual(deleted.body, { data: { projectDelete: true } })
    assert.isTrue(railway.services.get(serviceId)!.deleted)
    assert.deepEqual((await graphql(railway.url, PROJECTS)).body.data.projects.edges, [])
    const again = await graphql(railway.url, `mutation Delete($id: String!) { projectDelete(id: $id) }`, { id: projectId })
    assert.equal(again.body.errors[0].message, 'Not Authorized')
  })

  test('the upload of `railway up`: a gzip tarball becomes a deployment holding its files', async ({ assert }) => {
    const { projectId, environmentId, serviceId } = await setUp()
    const body = gzipSync(
      tar([
        { path: 'package.json', content: Buffer.from('{"scripts":{"start":"node server.js"}}'), mode: 0o644 },
        { path: 'src', directory: true, mode: 0o755 },
        { path: 'src/server.js', content: Buffer.from('console.log(1)'), mode: 0o644 },
      ])
    )
    const up = (payload: Buffer | string, headers: Record<string, string> = {}, service = serviceId) =>
      fetch(`${railway.origin}/project/${projectId}/environment/${environmentId}/up?serviceId=${service}`, {
        method: 'POST',
        headers: { 'content-type': 'application/gzip', 'authorization': `Bearer ${RAILWAY_TOKEN}`, ...headers },
        body: typeof payload === 'string' ? payload : new Uint8Array(payload),
      })
    const response = await up(body)
    assert.equal(response.status, 200)
    const answer = (await response.json()) as Record<string, string>
    assert.sameMembers(Object.keys(answer), ['deploymentId', 'url', 'logsUrl', 'deploymentDomain'])
    const deployment = railway.deployments.get(answer.deploymentId)!
    assert.equal(deployment.serviceId, serviceId)
    assert.deepEqual([...deployment.files!.keys()], ['package.json', 'src/server.js'])
    assert.equal(deployment.files!.get('src/server.js')!.toString(), 'console.log(1)')
    assert.equal(railway.status(answer.deploymentId), 'QUEUED')

    const wrongToken = await up(body, { authorization: 'Bearer nope' })
    assert.equal(wrongToken.status, 401)
    assert.deepEqual(await wrongToken.json(), { message: 'Not Authorized' })
    const notGzip = await up('plain text')
    assert.equal(notGzip.status, 400)
    assert.match(((await notGzip.json()) as any).message, /^Invalid tarball/)
    const brokenTar = await up(gzipSync(Buffer.alloc(1024, 7)))
    assert.match(((await brokenTar.json()) as any).message, /^Invalid tarball: not a tar archive/)
    const unknownService = await up(body, {}, 'no-such-service')
    assert.deepEqual(await unknownService.json(), { message: 'Service not found' })
    railway.maxUploadBytes = 10
    const tooLarge = await up(body)
    railway.maxUploadBytes = 50 * 1024 * 1024
    assert.equal(tooLarge.status, 413)
    assert.equal(await tooLarge.text(), 'Request Entity Too Large')
    assert.lengthOf(railway.deployments, 1, 'no rejected upload made a deployment')
  })

  test('advanceOnPoll plays the timeline as the client polls', async ({ assert }) => {
    railway.advanceOnPoll = true
    const { environmentId, serviceId } = await setUp()
    const id = (await graphql(railway.url, DEPLOY, { environmentId, serviceId })).body.data.serviceInstanceDeployV2
    const seen: string[] = []
    for (let i = 0; i < 6; i++) seen.push((await graphql(railway.url, DEPLOYMENT, { id })).body.data.deployment.status)
    assert.deepEqual(seen, ['INITIALIZING', 'BUILDING', 'DEPLOYING', 'SUCCESS', 'SUCCESS', 'SUCCESS'])
  })

  test('a scripted build failure ends FAILED with the message in the build logs', async ({ assert }) => {
    const { environmentId, serviceId } = await setUp()
    railway.failNextBuild('npm ERR! Missing script: "build"')
    const id = (await graphql(railway.url, DEPLOY, { environmentId, serviceId })).body.data.serviceInstanceDeployV2
    assert.equal(railway.settle(id), 'FAILED')
    const polled = await graphql(railway.url, DEPLOYMENT, { id })
    assert.equal(polled.body.data.deployment.status, 'FAILED')
    const logs = (await graphql(railway.url, BUILD_LOGS, { deploymentId: id })).body.data.buildLogs
    assert.deepInclude(logs.at(-1), { message: 'npm ERR! Missing script: "build"', severity: 'error' })
  })

  test('a scripted crash ends CRASHED with the message in the deploy logs', async ({ assert }) => {
    const { environmentId, serviceId } = await setUp()
    railway.crashNextDeployment('Error: listen EADDRINUSE')
    const id = (await graphql(railway.url, DEPLOY, { environmentId, serviceId })).body.data.serviceInstanceDeployV2
    assert.equal(railway.settle(id), 'CRASHED')
    const logs = (await graphql(railway.url, DEPLOY_LOGS, { deploymentId: id })).body.data.deploymentLogs
    assert.deepInclude(logs.at(-1), { message: 'Error: listen EADDRINUSE', severity: 'error' })
  })

  test('a missing or wrong token answers "Not Authorized" with null data', async ({ assert }) => {
    for (const token of [null, 'wrong-token']) {
      const answer = await graphql(railway.url, PROJECT_CREATE, { name: 'x' }, token)
      assert.equal(answer.status, 200)
      assert.isNull(answer.body.data)
      assert.equal(answer.body.errors[0].message, 'Not Authorized')
      assert.deepEqual(answer.body.errors[0].path, ['projectCreate'])
    }
    assert.equal(railway.projects.size, 0)
  })

  test('unknown operations, fields, arguments and input fields are GraphQL validation errors', async ({
    assert,
  }) => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['mutation { serviceDeploy(serviceId: "x") }', {}, /Cannot query field "serviceDeploy" on type "Mutation"/],
      ['query { deployment(id: "x") { id state } }', {}, /Cannot query field "state" on type "Deployment"/],
      ['query { deployment(id: "x") }', {}, /must have a selection of subfields/],
      ['query { deployment(uid: "x") { id } }', {}, /Unknown argument "uid"/],
      ['query Q($id: String!) { deployment(id: $other) { id } }', { id: 'x' }, /Variable "\$other" is not defined/],
      ['query { deployment(id: "x") { id }', {}, /Syntax Error/],
      [SERVICE_CREATE, {}, /Variable "\$projectId" of required type "String!" was not provided/],
      [
        SERVICE_CREATE,
        { projectId: 'p', source: { github: 'acme/landing' } },
        /Field "github" is not defined by type "ServiceSourceInput"/,
      ],
    ]
    for (const [query, variables, expected] of cases) {
      const answer = await graphql(railway.url, query, variables)
      assert.equal(answer.status, 400, query)
      assert.notProperty(answer.body, 'data')
      assert.match(answer.body.errors[0].message, expected)
    }
  })

  test('resolver errors: unknown deployment, deploy of a service without source, scripted error', async ({
    assert,
  }) => {
    const missing = await graphql(railway.url, DEPLOYMENT, { id: 'nope' })
    assert.isNull(missing.body.data)
    assert.equal(missing.body.errors[0].message, 'Deployment not found')

    const { projectId, environmentId } = await setUp()
    const bare = await graphql(railway.url, SERVICE_CREATE, { projectId, name: 'empty' })
    const deploy = await graphql(railway.url, DEPLOY, { environmentId, serviceId: bare.body.data.serviceCreate.id })
    assert.isNull(deploy.body.data)
    assert.match(deploy.body.errors[0].message, /no source/)

    railway.failNextCall('projectCreate', 'Free plan resource provision limit exceeded')
    const scripted = await graphql(railway.url, PROJECT_CREATE, { name: 'again' })
    assert.equal(scripted.body.errors[0].message, 'Free plan resource provision limit exceeded')
    assert.isNull(scripted.body.data)
  })

  test('deploymentRemove and serviceDelete', async ({ assert }) => {
    const { environmentId, serviceId } = await setUp()
    const id = (await graphql(railway.url, DEPLOY, { environmentId, serviceId })).body.data.serviceInstanceDeployV2
    const removed = await graphql(railway.url, 'mutation R($id: String!) { deploymentRemove(id: $id) }', { id })
    assert.deepEqual(removed.body, { data: { deploymentRemove: true } })
    assert.equal((await graphql(railway.url, DEPLOYMENT, { id })).body.data.deployment.status, 'REMOVED')
    const deleted = await graphql(railway.url, 'mutation D($id: String!) { serviceDelete(id: $id) }', { id: serviceId })
    assert.deepEqual(deleted.body, { data: { serviceDelete: true } })
    const again = await graphql(railway.url, DEPLOY, { environmentId, serviceId })
    assert.equal(again.body.errors[0].message, 'Not Authorized')
  })

  test('a scripted rate limit answers 429 with Retry-After and X-RateLimit-* once', async ({ assert }) => {
    railway.rateLimitNext({ retryAfterSeconds: 12 })
    const limited = await graphql(railway.url, PROJECT_CREATE, { name: 'x' })
    assert.equal(limited.status, 429)
    assert.equal(limited.headers.get('retry-after'), '12')
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0')
    assert.isNotNull(limited.headers.get('x-ratelimit-limit'))
    assert.isAbove(Number(limited.headers.get('x-ratelimit-reset')), Date.now() / 1000)
    assert.isString(limited.body.errors[0].message)
    const next = await graphql(railway.url, PROJECT_CREATE, { name: 'x' })
    assert.equal(next.status, 200)
    assert.isString(next.body.data.projectCreate.id)
    assert.lengthOf(railway.requests, 2)
  })
})

test.group('Fake Vercel server', (group) => {
  const vercel = new FakeVercelServer({ token: VERCEL_TOKEN, teamId: TEAM, teamSlug: 'acme' })
  group.setup(() => vercel.start())
  group.teardown(() => vercel.close())
  group.each.setup(() => {
    vercel.reset()
    vercel.advanceOnPoll = false
  })

  async function call(method: string, path: string, body?: unknown, token: string | null = VERCEL_TOKEN) {
    const response = await fetch(`${vercel.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, headers: response.headers, body: (await response.json()) as any }
  }

  const deployment = {
    name: 'landing',
    target: 'production',
    projectSettings: { framework: 'vite', buildCommand: 'npm run build', outputDirectory: 'dist' },
    files: [
      { file: 'package.json', data: '{"name":"landing"}' },
      { file: 'src/main.ts', data: Buffer.from('console.log(1)').toString('base64'), encoding: 'base64' },
      { file: 'index.html', data: '<!doctype html>', encoding: 'utf-8' },
    ],
  }

  test('create, then readyState goes QUEUED to READY; url has no scheme', async ({ assert }) => {
    const created = await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment)
    assert.equal(created.status, 200)
    const { id, url, readyState } = created.body
    assert.match(id, /^dpl_/)
    assert.equal(readyState, 'QUEUED')
    assert.match(url, /^landing-[a-z0-9]+-acme\.vercel\.app$/)
    assert.equal(created.body.target, 'production')
    assert.equal(vercel.deployments.get(id)?.files.get('src/main.ts')?.toString(), 'console.log(1)')

    const seen: string[] = []
    for (let i = 0; i < 4; i++) {
      seen.push((await call('GET', `/v13/deployments/${id}?teamId=${TEAM}`)).body.readyState)
      vercel.advance(id)
    }
    assert.deepEqual(seen, ['QUEUED', 'INITIALIZING', 'BUILDING', 'READY'])
    const ready = await call('GET', `/v13/deployments/${url}?teamId=${TEAM}`)
    assert.equal(ready.body.id, id)
    assert.deepEqual(ready.body.alias, ['landing.vercel.app'])

    const events = await call('GET', `/v3/deployments/${id}/events?teamId=${TEAM}`)
    assert.isArray(events.body)
    assert.isTrue(events.body.some((e: any) => e.type === 'command'))
    assert.equal(events.body.at(-1).text, 'Deployment completed')

    const deleted = await call('DELETE', `/v13/deployments/${id}?teamId=${TEAM}`)
    assert.deepEqual(deleted.body, { uid: id, state: 'DELETED', url })
    const gone = await call('GET', `/v13/deployments/${id}?teamId=${TEAM}`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.error.code, 'not_found')
  })

  test('advanceOnPoll, and a preview deployment of a known project', async ({ assert }) => {
    vercel.advanceOnPoll = true
    const first = await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment)
    const { projectSettings, target, ...preview } = deployment
    assert.exists(projectSettings && target)
    const second = await call('POST', `/v13/deployments?teamId=${TEAM}`, preview)
    assert.equal(second.status, 200)
    assert.isNull(second.body.target)
    assert.equal(second.body.projectId, first.body.projectId)
    const states: string[] = []
    for (let i = 0; i < 4; i++) {
      states.push((await call('GET', `/v13/deployments/${second.body.id}?teamId=${TEAM}`)).body.readyState)
    }
    assert.deepEqual(states, ['INITIALIZING', 'BUILDING', 'READY', 'READY'])
  })

  test('projects: lookup (404), create (409 when taken), deployments into a project by id, delete', async ({ assert }) => {
    const missing = await call('GET', `/v9/projects/shop?teamId=${TEAM}`)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body, { error: { code: 'not_found', message: 'Project not found' } })
    const created = await call('POST', `/v11/projects?teamId=${TEAM}`, { name: 'shop', framework: null, buildCommand: null })
    assert.equal(created.status, 200)
    assert.match(created.body.id, /^prj_/)
    assert.containsSubset(created.body, { name: 'shop', framework: null, accountId: TEAM })
    const taken = await call('POST', `/v11/projects?teamId=${TEAM}`, { name: 'shop' })
    assert.equal(taken.status, 409)
    assert.deepEqual(taken.body, { error: { code: 'conflict', message: 'A project with the name "shop" already exists.' } })
    const unknown = await call('POST', `/v11/projects?teamId=${TEAM}`, { name: 'other', env: [] })
    assert.equal(unknown.status, 400)
    assert.equal(unknown.body.error.message, 'Invalid request: should NOT have additional property `env`.')
    const badName = await call('POST', `/v11/projects?teamId=${TEAM}`, { name: 'Shop---1' })
    assert.match(badName.body.error.message, /must be lowercase/)
    assert.equal((await call('GET', `/v9/projects/${created.body.id}?teamId=${TEAM}`)).body.name, 'shop')
    assert.equal((await call('GET', `/v9/projects/shop`, undefined, VERCEL_TOKEN)).status, 403, 'the team is required')

    const { projectSettings, ...body } = deployment
    assert.exists(projectSettings)
    const inProject = await call('POST', `/v13/deployments?teamId=${TEAM}`, { ...body, name: 'shop', project: created.body.id })
    assert.equal(inProject.body.projectId, created.body.id, 'a known project needs no projectSettings')
    const unknownProject = await call('POST', `/v13/deployments?teamId=${TEAM}`, { ...body, project: 'prj_nope' })
    assert.equal(unknownProject.status, 404)

    const listed = await call('GET', `/v6/deployments?projectId=${created.body.id}&limit=20&teamId=${TEAM}`)
    assert.deepEqual(listed.body.deployments.map((d: any) => [d.uid, d.projectId]), [[inProject.body.id, created.body.id]])
    assert.equal(listed.body.pagination.count, 1)
    assert.equal((await call('GET', `/v6/deployments?projectId=prj_nope&teamId=${TEAM}`)).status, 404)

    const response = await fetch(`${vercel.url}/v9/projects/shop?teamId=${TEAM}`, { method: 'DELETE', headers: { authorization: `Bearer ${VERCEL_TOKEN}` } })
    assert.equal(response.status, 204)
    assert.isTrue(vercel.deployments.get(inProject.body.id)!.deleted)
    assert.equal((await call('GET', `/v9/projects/shop?teamId=${TEAM}`)).status, 404)
  })

  test('project env: create, upsert, per-item failures, encrypted listing, delete; deployments get their target’s variables', async ({ assert }) => {
    const project = (await call('POST', `/v11/projects?teamId=${TEAM}`, { name: 'landing' })).body
    const env = `/v10/projects/${project.id}/env?teamId=${TEAM}`
    const one = await call('POST', env, { key: 'API_KEY', value: 's3cret', type: 'encrypted', target: ['production'], comment: 'by test' })
    assert.equal(one.status, 201)
    assert.deepEqual(one.body.failed, [])
    assert.containsSubset(one.body.created, { key: 'API_KEY', type: 'encrypted', target: ['production'], comment: 'by test' })
    assert.notEqual(one.body.created.value, 's3cret', 'encrypted values never come back in the clear')

    const again = await call('POST', env, [{ key: 'API_KEY', value: 'new', type: 'encrypted', target: ['production'] }])
    assert.equal(again.body.failed[0].error.code, 'ENV_ALREADY_EXISTS')
    assert.equal(again.body.failed[0].error.key, 'API_KEY')

    const batch = await call('POST', `/v10/projects/landing/env?upsert=true&teamId=${TEAM}`, [
      { key: 'API_KEY', value: 'rotated', type: 'encrypted', target: ['production'] },
      { key: 'MODE', value: 'preview', type: 'plain', target: ['preview'] },
      { key: 'TZ', value: 'UTC', type: 'encrypted', target: ['preview'] },
      { key: '1BAD', value: 'x', type: 'encrypted', target: ['preview'] },
    ])
    assert.equal(batch.status, 201)
    assert.deepEqual(batch.body.created.map((c: any) => c.key), ['API_KEY', 'MODE'])
    assert.deepEqual(batch.body.failed.map((f: any) => [f.error.key, f.error.code]), [
      ['TZ', 'reserved_key'],
      ['1BAD', 'invalid_key'],
    ])
    assert.deepEqual(vercel.envOf(project.id, 'production'), { API_KEY: 'rotated' })
    assert.deepEqual(vercel.envOf('landing', 'preview'), { MODE: 'preview' })

    const invalid = await call('POST', env, { key: 'A', value: 'b', type: 'secretish', target: ['preview'] })
    assert.equal(invalid.status, 400)
    assert.equal(invalid.body.error.code, 'bad_request')
    assert.match(invalid.body.error.message, /`type` should be equal to one of the allowed values/)
    assert.equal((await call('POST', env, { key: 'A', value: 'b', type: 'plain', target: ['preview'] }, 'wrong')).status, 403)

    const listed = await call('GET', env)
    assert.deepEqual(listed.body.envs.map((e: any) => [e.key, e.target]), [
      ['API_KEY', ['production']],
      ['MODE', ['preview']],
    ])
    assert.isFalse(listed.body.envs.some((e: any) => e.value === 'rotated'))

    const { projectSettings, ...body } = deployment
    assert.exists(projectSettings)
    const production = await call('POST', `/v13/deployments?teamId=${TEAM}`, { ...body, project: project.id })
    const { target, ...previewBody } = body
    assert.exists(target)
    const preview = await call('POST', `/v13/deployments?teamId=${TEAM}`, { ...previewBody, project: project.id })
    assert.deepEqual(vercel.deployments.get(production.body.id)!.env, { API_KEY: 'rotated' })
    assert.deepEqual(vercel.deployments.get(preview.body.id)!.env, { MODE: 'preview' })

    const mode = listed.body.envs.find((e: any) => e.key === 'MODE')
    const removed = await call('DELETE', `/v9/projects/${project.id}/env/${mode.id}?teamId=${TEAM}`)
    assert.equal(removed.body.key, 'MODE')
    assert.deepEqual(vercel.envOf(project.id, 'preview'), {})
    const twice = await call('DELETE', `/v9/projects/${project.id}/env/${mode.id}?teamId=${TEAM}`)
    assert.equal(twice.status, 404)
  })

  test('a scripted build failure ends ERROR with errorMessage and a stderr event', async ({ assert }) => {
    vercel.failNextBuild('Type error: Property x does not exist')
    const { id } = (await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment)).body
    assert.equal(vercel.settle(id), 'ERROR')
    const failed = (await call('GET', `/v13/deployments/${id}?teamId=${TEAM}`)).body
    assert.equal(failed.readyState, 'ERROR')
    assert.equal(failed.errorMessage, 'Type error: Property x does not exist')
    assert.isString(failed.errorCode)
    const events = (await call('GET', `/v3/deployments/${id}/events?teamId=${TEAM}`)).body
    assert.deepInclude(events.at(-1), { type: 'stderr', text: 'Type error: Property x does not exist' })
  })

  test('cancel a building deployment', async ({ assert }) => {
    const { id } = (await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment)).body
    vercel.advance(id, 2)
    const canceled = await call('PATCH', `/v12/deployments/${id}/cancel?teamId=${TEAM}`)
    assert.equal(canceled.body.readyState, 'CANCELED')
    assert.equal(vercel.advance(id), 'CANCELED')
  })

  test('auth: missing or wrong token, missing or wrong teamId answer 403 forbidden', async ({ assert }) => {
    const missing = await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment, null)
    assert.equal(missing.status, 403)
    assert.deepInclude(missing.body.error, { code: 'forbidden', missingToken: true })
    const wrong = await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment, 'nope')
    assert.equal(wrong.status, 403)
    assert.deepInclude(wrong.body.error, { code: 'forbidden', invalidToken: true })
    for (const query of ['', '?teamId=team_other']) {
      const team = await call('POST', `/v13/deployments${query}`, deployment)
      assert.equal(team.status, 403, query)
      assert.equal(team.body.error.code, 'forbidden')
    }
    assert.equal((await call('POST', '/v13/deployments?slug=acme', deployment)).status, 200)
    assert.lengthOf(vercel.deployments, 1)
  })

  test('validation errors use the bad_request envelope and create nothing', async ({ assert }) => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...deployment, name: undefined }, 'bad_request', /should have required property 'name'/],
      [{ ...deployment, name: 'My Site' }, 'bad_request', /must be lowercase/],
      [{ ...deployment, target: 'prod' }, 'bad_request', /`target` should be equal to one of the allowed values/],
      [{ ...deployment, env: { A: '1' } }, 'bad_request', /additional property `env`/],
      [{ ...deployment, projectSettings: { framework: 'vite', build: 'x' } }, 'bad_request', /additional property `build`/],
      [{ ...deployment, files: [{ file: 'a.txt' }] }, 'bad_request', /required property 'data'/],
      [{ ...deployment, files: [{ file: 'a.txt', data: 'x', encoding: 'utf8' }] }, 'bad_request', /encoding/],
      [{ ...deployment, files: [{ file: 'a.txt', data: '%%%', encoding: 'base64' }] }, 'bad_request', /base64/],
      [{ ...deployment, files: [] }, 'missing_files', /Missing files/],
      [{ ...deployment, files: [{ file: 'a.txt', sha: 'abc', size: 3 }] }, 'missing_files', /Missing files/],
      [{ ...deployment, projectSettings: undefined }, 'missing_project_settings', /projectSettings/],
    ]
    for (const [body, code, message] of cases) {
      const answer = await call('POST', `/v13/deployments?teamId=${TEAM}`, body)
      assert.equal(answer.status, 400, JSON.stringify(body))
      assert.equal(answer.body.error.code, code)
      assert.match(answer.body.error.message, message)
    }
    assert.lengthOf(vercel.deployments, 0)
    const unknown = await call('GET', `/v13/deployments/dpl_nope?teamId=${TEAM}`)
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.error.code, 'not_found')
  })

  test('a scripted rate limit answers 429 rate_limited with the X-RateLimit-* headers once', async ({ assert }) => {
    vercel.rateLimitNext({ resetSeconds: 30 })
    const limited = await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment)
    assert.equal(limited.status, 429)
    assert.equal(limited.body.error.code, 'rate_limited')
    assert.equal(limited.body.error.limit.remaining, 0)
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0')
    assert.equal(Number(limited.headers.get('x-ratelimit-reset')), limited.body.error.limit.reset)
    assert.isNotNull(limited.headers.get('x-ratelimit-limit'))
    assert.equal((await call('POST', `/v13/deployments?teamId=${TEAM}`, deployment)).status, 200)
    assert.lengthOf(vercel.requests, 2)
  })
})

test.group('Fake Vercel server | personal account', (group) => {
  const vercel = new FakeVercelServer({ token: VERCEL_TOKEN, projects: ['landing'] })
  group.setup(() => vercel.start())
  group.teardown(() => vercel.close())

  test('without a team, a teamId is refused and a known project needs no projectSettings', async ({ assert }) => {
    const headers = { 'authorization': `Bearer ${VERCEL_TOKEN}`, 'content-type': 'application/json' }
    const body = JSON.stringify({ name: 'landing', files: [{ file: 'index.html', data: 'hi' }] })
    const withTeam = await fetch(`${vercel.url}/v13/deployments?teamId=${TEAM}`, { method: 'POST', headers, body })
    assert.equal(withTeam.status, 403)
    const personal = await fetch(`${vercel.url}/v13/deployments`, { method: 'POST', headers, body })
    assert.equal(personal.status, 200)
    const created = (await personal.json()) as any
    assert.match(created.url, /^landing-[a-z0-9]+-fake-user\.vercel\.app$/)
    assert.isNull(created.target)
  })
})
