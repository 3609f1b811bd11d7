/**
 * An SSH server on the loopback interface that does what `ssh docker-host` gives the
 * Docker client: public-key login, then `docker system dial-stdio` piped to the local
 * daemon's socket. Built on ssh2's server (the library dockerode's client side uses), so
 * the ssh:// endpoint path is exercised over a real SSH connection without installing
 * sshd. The client key is served by a real ssh-agent, as SSH_AUTH_SOCK.
 */
import {execa} from 'execa'
import {timingSafeEqual} from 'node:crypto'
import {chmodSync, writeFileSync} from 'node:fs'
import {connect, type AddressInfo} from 'node:net'
import {join} from 'node:path'
import ssh2 from 'ssh2'
import {makeTempDir} from '../../support/tmp.js'

export interface SshDockerServer {
  /** `ssh://tester@127.0.0.1:PORT` */
  endpoint: string
  /** SSH_AUTH_SOCK of an ssh-agent holding the one key the server accepts. */
  agentSocket: string
  /** How many `docker system dial-stdio` sessions were served. */
  sessions(): number
  stop(): Promise<void>
}

export async function startSshDockerServer(dockerSocket = '/var/run/docker.sock'): Promise<SshDockerServer> {
  const dir = makeTempDir('headerkit-ssh-')
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519')
  const client = ssh2.utils.generateKeyPairSync('ed25519')
  const keyFile = join(dir, 'id_ed25519')
  writeFileSync(keyFile, client.private)
  chmodSync(keyFile, 0o600)
  const allowed = ssh2.utils.parseKey(client.public)
  if (allowed instanceof Error) throw allowed
  let sessions = 0

  const server = new ssh2.Server({hostKeys: [hostKey.private]}, (conn) => {
    conn.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== 'tester') return ctx.reject(['publickey'])
      const same = ctx.key.algo === allowed.type && ctx.key.data.length === allowed.getPublicSSH().length && timingSafeEqual(ctx.key.data, allowed.getPublicSSH())
      if (!same) return ctx.reject(['publickey'])
      if (ctx.signature && !allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo)) return ctx.reject(['publickey'])
      ctx.accept()
    })
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        const session = accept()
        session.on('exec', (acceptExec, reject, info) => {
          if (info.command !== 'docker system dial-stdio') return reject()
          const stream = acceptExec()
          sessions++
          const sock = connect(dockerSocket)
          stream.pipe(sock).pipe(stream)
          sock.on('error', () => stream.close())
          stream.on('close', () => sock.destroy())
        })
      })
    })
    conn.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo

  const agentSocket = join(dir, 'agent.sock')
  const agent = await execa('ssh-agent', ['-a', agentSocket, '-s'])
  const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]
  await execa('ssh-add', [keyFile], {env: {SSH_AUTH_SOCK: agentSocket}})

  return {
    endpoint: `ssh://tester@127.0.0.1:${port}`,
    agentSocket,
    sessions: () => sessions,
    async stop() {
      if (pid) process.kill(Number(pid), 'SIGTERM')
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
