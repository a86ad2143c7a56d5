// A throw-away single-node Slurm cluster for integration tests:
// munged (reused when one already answers), slurmctld and slurmd in the foreground as our own
// children, a slurm.conf in a scratch folder on free ports, reached through SLURM_CONF (nothing is
// written under /etc/slurm). Needs root and the Debian packages slurm-wlm and munge
// (scripts/setup-system.sh). Stop cancels every job, stops the daemons by pid and deletes the folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  for (const bin of [SLURMCTLD, SLURMD, MUNGED]) if (!existsSync(bin)) return `${bin} missing: run scripts/setup-system.sh (slurm-wlm, munge)`;
  for (const cmd of ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'munge', 'unmunge', 'setpriv']) {
    if (spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error) return `${cmd} missing (slurm-client, munge, util-linux)`;
  }
  return undefined;
}

export interface SlurmCluster {
  dir: string;
  conf: string;
  node: string;
  /** process.env plus SLURM_CONF: give it to anything that runs sbatch/squeue/scancel. */
  env: NodeJS.ProcessEnv;
  /** `squeue -h -t all -j id -o %T`: PENDING, RUNNING, COMPLETED, CANCELLED, ... or undefined. */
  jobState(jobId: string): string | undefined;
  /** The last lines of the daemons' logs (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

function mungeAnswers(): boolean {
  const r = spawnSync('sh', ['-c', 'munge -n | unmunge'], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

function ids(name: string): number {
  return Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
}

async function until(what: string, cond: () => boolean, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`test Slurm cluster: timed out after ${timeoutMs / 1000} s waiting for ${what}\n${detail()}`);
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

export async function startSlurm(): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-slurm-'));
  chmodSync(dir, 0o755);
  for (const d of ['etc', 'state', 'spool', 'log']) mkdirSync(join(dir, d));
  const conf = join(dir, 'etc', 'slurm.conf');
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  let munged: ChildProcess | undefined;
  let ctld: ChildProcess | undefined;
  let slurmd: ChildProcess | undefined;
  const logs = () =>
    ['munged.out', 'slurmctld.log', 'slurmd.log']
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
    await stopChild(slurmd);
    await stopChild(ctld);
    await stopChild(munged);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // munge: the default socket (/run/munge/munge.socket.2), so slurm.conf needs no AuthInfo
    if (!mungeAnswers()) {
      const munge = ids('munge');
      if (!existsSync('/etc/munge/munge.key') || readFileSync('/etc/munge/munge.key').length === 0) {
        mkdirSync('/etc/munge', { recursive: true, mode: 0o700 });
        writeFileSync('/etc/munge/munge.key', randomBytes(1024), { mode: 0o400 });
        chownSync('/etc/munge/munge.key', munge, munge);
      }
      for (const [d, mode] of [['/run/munge', 0o755], ['/var/lib/munge', 0o700], ['/var/log/munge', 0o700]] as const) {
        mkdirSync(d, { recursive: true, mode });
        chownSync(d, munge, munge);
      }
      rmSync('/run/munge/munge.socket.2', { force: true });
      rmSync('/run/munge/munge.socket.2.lock', { force: true });
      // setpriv exec()s munged, so the child is munged itself
      munged = daemon('setpriv', ['--reuid=munge', '--regid=munge', '--init-groups', MUNGED, '-F'], join(dir, 'log', 'munged.out'), env);
      await until('munged', mungeAnswers, 10_000, logs);
    }

    const node = hostname().split('.')[0];
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const topo = spawnSync(SLURMD, ['-C'], { encoding: 'utf8' }).stdout.split('\n')[0].replace(/^NodeName=\S+\s*/, '');
    if (!/CPUs=\d+/.test(topo)) throw new Error(`slurmd -C gave no node topology: ${topo}`);
    const lines = [
      'ClusterName=pnastest',
      `SlurmctldHost=${node}(127.0.0.1)`,
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
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'SlurmctldDebug=info',
      'SlurmdDebug=info',
      // finished jobs stay visible to squeue (there is no accounting database)
      'MinJobAge=3600',
      'KillWait=2',
      'InactiveLimit=0',
      'ReturnToService=2',
      'SchedulerType=sched/backfill',
      'SchedulerParameters=batch_sched_delay=0',
      `NodeName=${node} NodeAddr=127.0.0.1 ${topo} State=UNKNOWN`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    ];
    writeFileSync(conf, `${lines.join('\n')}\n`);

    ctld = daemon(SLURMCTLD, ['-D', '-i', '-f', conf], join(dir, 'log', 'slurmctld.out'), env);
    await until('slurmctld', () => /UP/.test(spawnSync('scontrol', ['ping'], { env, encoding: 'utf8', timeout: 5000 }).stdout ?? ''), 20_000, logs);
    slurmd = daemon(SLURMD, ['-D', '-f', conf], join(dir, 'log', 'slurmd.out'), env);
    await until(
      `node ${node} idle`,
      () => spawnSync('sinfo', ['-h', '-n', node, '-o', '%T'], { env, encoding: 'utf8', timeout: 5000 }).stdout?.trim() === 'idle',
      20_000,
      logs,
    );
    return {
      dir,
      conf,
      node,
      env,
      jobState(jobId) {
        const r = spawnSync('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T'], { env, encoding: 'utf8', timeout: 10_000 });
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
