/**
 * The docker engine's decisions that need no daemon: endpoints, API negotiation, platform
 * matching, image families, worker tags, container arguments and judging the worker's answer.
 */
import assert from 'node:assert/strict'
import {dockerOptions, negotiateApiVersion} from '../../../src/populate/engines/docker/client.js'
import {familyOf, parseOsRelease, parsePlatform, platformMatches, workerTag} from '../../../src/populate/engines/docker/images.js'
import {containerArgs, parseWorkerOutput, WORKER_PROJECT, type WorkerRequest} from '../../../src/populate/worker-job.js'
import type {HeaderKeys} from '../../../src/generate/pipeline.js'

describe('docker engine: endpoints and API version', () => {
  it('reads unix, tcp and ssh endpoints as dockerode options', () => {
    assert.deepEqual(dockerOptions('unix:///var/run/docker.sock'), {socketPath: '/var/run/docker.sock'})
    assert.deepEqual(dockerOptions('tcp://10.0.0.5:2375', {}), {protocol: 'http', host: '10.0.0.5', port: 2375})
    const ssh = dockerOptions('ssh://builder@arm-box:2222', {})
    assert.equal(ssh.protocol, 'ssh')
    assert.equal(ssh.host, 'arm-box')
    assert.equal(ssh.port, 2222)
    assert.equal(ssh.username, 'builder')
  })

  it('refuses an endpoint it cannot use, in one line', () => {
    assert.throws(() => dockerOptions('ftp://x'), /unsupported scheme 'ftp:'/)
    assert.throws(() => dockerOptions('not a url'), /not a Docker endpoint/)
    assert.throws(() => dockerOptions('tcp://h:2376', {DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent'}), /TLS certificates not readable in \/nonexistent/)
  })

  it('speaks the newest version both sides know, never below 1.41', () => {
    assert.equal(negotiateApiVersion({apiVersion: '1.41', minApiVersion: '1.12'}, 'e'), '1.41')
    assert.equal(negotiateApiVersion({apiVersion: '1.52', minApiVersion: '1.44'}, 'e'), '1.47')
    assert.equal(negotiateApiVersion({apiVersion: '1.44', minApiVersion: '1.24'}, 'e'), '1.44')
    assert.throws(() => negotiateApiVersion({apiVersion: '1.40'}, 'unix:///s'), /speaks API 1\.40; headerkit needs 1\.41/)
    assert.throws(() => negotiateApiVersion({apiVersion: '1.60', minApiVersion: '1.50'}, 'e'), /none of which headerkit speaks/)
  })
})

describe('docker engine: images', () => {
  it('matches a local image to the platform by OS, architecture and variant', () => {
    assert.ok(platformMatches({Os: 'linux', Architecture: 'arm64', Variant: 'v8'}, parsePlatform('linux/arm64')))
    assert.ok(platformMatches({Os: 'linux', Architecture: 'arm64'}, parsePlatform('linux/arm64')))
    assert.ok(!platformMatches({Os: 'linux', Architecture: 'amd64'}, parsePlatform('linux/arm64')))
    assert.ok(!platformMatches({Os: 'linux', Architecture: 'arm', Variant: 'v6'}, parsePlatform('linux/arm/v7')))
    assert.ok(platformMatches({Os: 'linux', Architecture: 'arm', Variant: 'v7'}, parsePlatform('linux/arm/v7')))
    assert.ok(platformMatches({Os: 'linux', Architecture: 'arm'}, parsePlatform('linux/arm/v7')), 'no variant recorded: v7, as Docker reads it')
    assert.ok(!platformMatches({Os: 'linux', Architecture: 'arm'}, parsePlatform('linux/arm/v6')))
  })

  it('tells the recipe family from os-release', () => {
    const alma = parseOsRelease('NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\n')
    assert.deepEqual(familyOf(alma), {family: 'manylinux'})
    assert.deepEqual(familyOf(parseOsRelease('ID=alpine\nVERSION_ID=3.22.1\n')), {family: 'musllinux'})
    assert.deepEqual(familyOf(parseOsRelease('ID=debian\nVERSION_ID="12"\n')), {family: 'debian'})
    assert.deepEqual(familyOf(parseOsRelease('ID=ubuntu\nID_LIKE=debian\n')), {family: 'debian'})
    const centos7 = familyOf(parseOsRelease('ID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n'))
    assert.ok('unsupported' in centos7 && /glibc older than 2\.25/.test(centos7.unsupported))
    assert.ok('unsupported' in familyOf(parseOsRelease('ID=gentoo\n')))
  })

  it('tags a worker image by base image ID, recipe and tool version', () => {
    const a = workerTag('debian', 'sha256:aaa', Buffer.from('FROM x'), '0.1.0')
    assert.match(a, /^headerkit-worker\/debian:[0-9a-f]{16}$/)
    assert.equal(workerTag('debian', 'sha256:aaa', Buffer.from('FROM x'), '0.1.0'), a)
    assert.notEqual(workerTag('debian', 'sha256:bbb', Buffer.from('FROM x'), '0.1.0'), a)
    assert.notEqual(workerTag('debian', 'sha256:aaa', Buffer.from('FROM y'), '0.1.0'), a)
    assert.notEqual(workerTag('debian', 'sha256:aaa', Buffer.from('FROM x'), '0.2.0'), a)
  })
})

describe('docker engine: the worker job', () => {
  const keys = {irInputs: {defines: ['DEMO_API='], includeDirs: ['@/include', '/opt/sdk/include'], args: ['-isystem@/vendor', '--sysroot=/srv/root', '-std=c11'], header: {path: 'include/demo.h', hash: 'x'}, deps: []}} as unknown as HeaderKeys

  it('places project paths under the container project root and keeps the others', () => {
    assert.deepEqual(containerArgs(keys), ['-DDEMO_API=', `-I${WORKER_PROJECT}/include`, '-I/opt/sdk/include', `-isystem${WORKER_PROJECT}/vendor`, '--sysroot=/srv/root', '-std=c11'])
  })

  const requests: WorkerRequest[] = [{header: `${WORKER_PROJECT}/include/demo.h`, projectRoot: WORKER_PROJECT, target: 'aarch64-unknown-linux-gnu', args: []}]
  const goodIr = {path: 'include/demo.h', declarations: []}
  const answer = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc))

  it('accepts the worker\'s result for exactly the headers asked', () => {
    const [parsed] = parseWorkerOutput(answer({ok: true, results: [{header: requests[0]!.header, ir: goodIr, included: ['include/demo/types.h'], libclangVersion: 'Debian clang version 14.0.6'}]}), 0, '', requests, 'linux/arm64')
    assert.equal(parsed!.ir.path, 'include/demo.h')
    assert.deepEqual(parsed!.included, ['include/demo/types.h'])
  })

  it('refuses garbage, a wrong header, escaping paths and invalid IR', () => {
    const ok = (over: Record<string, unknown>): Buffer => answer({ok: true, results: [{header: requests[0]!.header, ir: goodIr, included: [], libclangVersion: 'v', ...over}]})
    assert.throws(() => parseWorkerOutput(Buffer.from('Segmentation fault\n'), 139, '', requests, 'linux/arm64'), /not JSON \(starts with "Segmentation fault"\)/)
    assert.throws(() => parseWorkerOutput(Buffer.from(''), 137, 'Killed', requests, 'linux/arm64'), /printed nothing and exited with 137 \(Killed\)/)
    assert.throws(() => parseWorkerOutput(answer([1, 2]), 0, '', requests, 'linux/arm64'), /not the worker's result object/)
    assert.throws(() => parseWorkerOutput(ok({header: '/etc/passwd'}), 0, '', requests, 'linux/arm64'), /is for \/etc\/passwd/)
    assert.throws(() => parseWorkerOutput(ok({included: ['../../etc/shadow']}), 0, '', requests, 'linux/arm64'), /not project-relative/)
    assert.throws(() => parseWorkerOutput(ok({included: ['/usr/include/stdio.h']}), 0, '', requests, 'linux/arm64'), /not project-relative/)
    assert.throws(() => parseWorkerOutput(ok({ir: {path: 'include/demo.h', declarations: [{kind: 'bogus'}]}}), 0, '', requests, 'linux/arm64'), /not valid IR JSON/)
    assert.throws(() => parseWorkerOutput(ok({ir: {path: 'other.h', declarations: []}}), 0, '', requests, 'linux/arm64'), /names other\.h/)
    assert.throws(() => parseWorkerOutput(answer({ok: true, results: []}), 0, '', requests, 'linux/arm64'), /expected 1 results/)
  })

  it('turns a failed parse into one error naming the platform and header', () => {
    assert.throws(() => parseWorkerOutput(answer({ok: false, error: {code: 'E_PARSE', message: 'include/demo.h:3:1: error: unknown type name', job: 0}}), 1, '', requests, 'linux/arm64'),
      (e: Error & {code?: string}) => e.code === 'E_PARSE' && /^linux\/arm64: include\/demo\.h: include\/demo\.h:3:1: error/.test(e.message))
  })
})
