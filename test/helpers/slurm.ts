// A throw-away Slurm cluster for integration tests, one node or several (slurmd -N):
// its own munged on a socket in its folder, slurmctld and slurmd in the foreground as our own
// children, a slurm.conf in a scratch folder on free ports, reached through SLURM_CONF (nothing is
// written under /etc/slurm). Needs root and the Debian packages slurm-wlm and munge
// (scripts/setup-system.sh). Stop cancels every job, stops the daemons by pid and deletes the folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sshd';

const SLURMCTLD = '/usr/sbin/slurmctld';
const SLURMD = '/usr/sbin/slurmd';
const MUNGED = '/usr/sbin/munged';

/** Why a Slurm cluster cannot be started here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the test Slurm cluster needs root (slurmd, munged)';
  for (const bin of [SLURMCTLD, SLURMD, MUNGED])
    if (!existsSync(bin)) return `${bin} missing: run scripts/setup-system.sh (slurm-wlm, munge)`;
  for (const cmd of ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'munge', 'unmunge', 'setpriv']) {
    if (spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error)
      return `${cmd} missing (slurm-client, munge, util-linux)`;
  }
  return undefined;
}

/** A cluster of `nodes` slurmd daemons on this host (slurmd -N, recipe §10), with fake GPUs. */
export interface SlurmClusterOptions {
  /** Nodes n1..nN; default: one node named after the host. */
  nodes?: number;
  /** Fake gres/gpu per node (char devices /dev/null, /dev/zero, ...). */
  gpusPerNode?: number;
  /** CPUs declared per node (multi-node clusters; default 2). */
  cpusPerNode?: number;
}

export interface SlurmCluster {
  dir: string;
  conf: string;
  node: string;
  /** Every node name (the first is `node`). */
  nodes: string[];
  /** process.env plus SLURM_CONF: give it to anything that runs sbatch/squeue/scancel. */
  env: NodeJS.ProcessEnv;
  /** `squeue -h -t all -j id -o %T`: PENDING, RUNNING, COMPLETED, CANCELLED, ... or undefined. */
  jobState(jobId: string): string | undefined;
  /** The last lines of the daemons' logs (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

function mungeAnswers(socket: string): boolean {
  const r = spawnSync('sh', ['-c', 'munge -n -S "$1" | unmunge -S "$1"', 'sh', socket], {
    stdio: 'ignore',
    timeout: 5000,
  });
  return r.status === 0;
}

function ids(name: string): number {
  return Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
}

async function until(
  what: string,
  cond: () => boolean,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(`test Slurm cluster: timed out after ${timeoutMs / 1000} s waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function daemon(cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    // detached: own session, so a terminal's signals do not reach it; stopped by pid in stop()
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env });
    child.on('error', () => undefined);
    return child;
  } finally {
    closeSync(fd);
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startSlurm(options: SlurmClusterOptions = {}): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-slurm-'));
  chmodSync(dir, 0o755);
  for (const d of ['etc', 'state', 'spool', 'log']) mkdirSync(join(dir, d));
  const conf = join(dir, 'etc', 'slurm.conf');
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  let munged: ChildProcess | undefined;
  let ctld: ChildProcess | undefined;
  const slurmds: ChildProcess[] = [];
  let mungeSocket = '';
  const logs = () =>
    ['munged.out', 'slurmctld.log', 'slurmd.log', 'slurmd-n1.log', 'slurmd-n2.log']
      .map((f) => join(dir, 'log', f))
      .filter(existsSync)
      .map((f) => `== ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('\n');
  const stop = async () => {
    if (ctld && ctld.exitCode === null) {
      // cancel every job so slurmstepd and the jobs' processes end, then wait for the queue to empty
      spawnSync('scancel', ['--full', '--quiet', '--user=root'], { env, stdio: 'ignore', timeout: 10_000 });
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        const q = spawnSync('squeue', ['-h', '-t', 'PD,R,CG,S'], { env, encoding: 'utf8', timeout: 10_000 });
        if (q.status !== 0 || !q.stdout.trim()) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    for (const d of slurmds) await stopChild(d);
    await stopChild(ctld);
    await stopChild(munged);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // munge: our own munged on a socket in the cluster's folder (AuthInfo=socket=...), so clusters of
    // tests that run at the same time never share, or stop, each other's munged
    const munge = ids('munge');
    const mungeDir = join(dir, 'munge');
    mkdirSync(mungeDir, { mode: 0o755 });
    chownSync(mungeDir, munge, munge);
    const key = join(mungeDir, 'munge.key');
    writeFileSync(key, randomBytes(1024), { mode: 0o400 });
    chownSync(key, munge, munge);
    mungeSocket = join(mungeDir, 'munge.socket');
    // setpriv exec()s munged, so the child is munged itself
    munged = daemon(
      'setpriv',
      [
        '--reuid=munge',
        '--regid=munge',
        '--init-groups',
        MUNGED,
        '-F',
        `--socket=${mungeSocket}`,
        `--key-file=${key}`,
        `--log-file=${join(mungeDir, 'munged.log')}`,
        `--pid-file=${join(mungeDir, 'munged.pid')}`,
        `--seed-file=${join(mungeDir, 'munged.seed')}`,
      ],
      join(dir, 'log', 'munged.out'),
      env,
    );
    await until('munged', () => mungeAnswers(mungeSocket), 10_000, logs);

    const host = hostname().split('.')[0];
    const multi = (options.nodes ?? 0) > 0;
    const nodes = multi ? Array.from({ length: options.nodes! }, (_, i) => `n${i + 1}`) : [host];
    const node = nodes[0];
    const gpus = options.gpusPerNode ?? 0;
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const nodePorts = multi ? await Promise.all(nodes.map(() => freePort())) : [];
    const topo = multi
      ? `CPUs=${options.cpusPerNode ?? 2} RealMemory=4000`
      : spawnSync(SLURMD, ['-C'], { encoding: 'utf8' })
          .stdout.split('\n')[0]
          .replace(/^NodeName=\S+\s*/, '');
    if (!/CPUs=\d+/.test(topo)) throw new Error(`slurmd -C gave no node topology: ${topo}`);
    const fakeGpus = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random'].slice(0, gpus);
    if (gpus > fakeGpus.length) throw new Error(`at most ${fakeGpus.length} fake GPUs per node`);
    writeFileSync(
      join(dir, 'etc', 'gres.conf'),
      nodes.flatMap((n) => fakeGpus.map((f) => `NodeName=${n} Name=gpu File=${f} Count=1\n`)).join(''),
    );
    const nodeLines = nodes.map((n, i) =>
      multi
        ? `NodeName=${n} NodeHostname=${host} NodeAddr=127.0.0.1 Port=${nodePorts[i]} ${topo}${gpus ? ` Gres=gpu:${gpus}` : ''} State=UNKNOWN`
        : `NodeName=${n} NodeAddr=127.0.0.1 ${topo}${gpus ? ` Gres=gpu:${gpus}` : ''} State=UNKNOWN`,
    );
    const lines = [
      'ClusterName=pnastest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      'MpiDefault=none',
      'MailProg=/bin/true',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${join(dir, 'log', 'jobcomp.txt')}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, multi ? 'spool-%n' : 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, multi ? 'slurmd-%n.pid' : 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', multi ? 'slurmd-%n.log' : 'slurmd.log')}`,
      ...(gpus ? ['GresTypes=gpu'] : []),
      // a requeued job may start again soon (the default waits for the credentials to expire, 120 s)
      `AuthInfo=socket=${mungeSocket},cred_expire=10`,
      'SlurmctldDebug=info',
      'SlurmdDebug=info',
      // finished jobs stay visible to squeue (there is no accounting database)
      'MinJobAge=3600',
      'KillWait=2',
      'InactiveLimit=0',
      'ReturnToService=2',
      'SchedulerType=sched/backfill',
      'SchedulerParameters=batch_sched_delay=0',
      ...nodeLines,
      `PartitionName=debug Nodes=${nodes.join(',')} Default=YES MaxTime=INFINITE State=UP`,
    ];
    writeFileSync(conf, `${lines.join('\n')}\n`);

    ctld = daemon(SLURMCTLD, ['-D', '-i', '-f', conf], join(dir, 'log', 'slurmctld.out'), env);
    await until(
      'slurmctld',
      () => /UP/.test(spawnSync('scontrol', ['ping'], { env, encoding: 'utf8', timeout: 5000 }).stdout ?? ''),
      20_000,
      logs,
    );
    for (const n of nodes) {
      const args = multi ? ['-D', '-N', n, '-f', conf] : ['-D', '-f', conf];
      slurmds.push(daemon(SLURMD, args, join(dir, 'log', `slurmd-${n}.out`), env));
    }
    await until(
      `nodes ${nodes.join(', ')} idle`,
      () => {
        const out =
          spawnSync('sinfo', ['-h', '-N', '-o', '%N %T'], { env, encoding: 'utf8', timeout: 5000 }).stdout ?? '';
        return nodes.every((n) => new RegExp(`^${n} idle$`, 'm').test(out));
      },
      30_000,
      logs,
    );
    return {
      dir,
      conf,
      node,
      nodes,
      env,
      jobState(jobId) {
        const r = spawnSync('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T'], {
          env,
          encoding: 'utf8',
          timeout: 10_000,
        });
        return r.status === 0 ? r.stdout.trim().split('\n')[0] || undefined : undefined;
      },
      logs,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
