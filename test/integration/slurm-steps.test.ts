// One search across a real two-node Slurm cluster (test/helpers/slurm.ts, slurmd -N n1/n2 with two
// fake GPUs each), submitted with `pareto-nas search --config F` as a login-node user would: the
// batch job runs the search, its four torch workers (CPU) are job steps spread over both nodes. The
// final population must equal a local run with the same seed, also when a worker step is killed
// mid-generation or node n2 goes down; scancel ends the run cancelled; a job Slurm cannot run
// fails at submission in one line and leaves no run directory.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SearchConfigInput } from '../../common/config';
import type { CandidateRecord, GenerationSnapshot, StoredEvent, WorkerRef } from '../../common/protocol';
import { workerKey } from '../../common/workers';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { slurmUnavailable, startSlurm, type SlurmCluster } from '../helpers/slurm';

const runner = join(repoRoot, 'dist', 'runner.js');
const torchPython = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);
const skip =
  slurmUnavailable() ??
  (existsSync(runner) ? undefined : 'dist/runner.js missing (npm run build)') ??
  (torchPython ? undefined : 'no Python with PyTorch (apt install python3-torch)');

async function until(
  what: string,
  cond: () => boolean,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function events(dir: string): StoredEvent[] {
  const f = join(dir, 'events.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StoredEvent);
}

function finished(dir: string): Extract<StoredEvent, { type: 'run-finished' }> | undefined {
  return events(dir)
    .flatMap((e) => (e.type === 'run-finished' ? [e] : []))
    .at(-1);
}

/** What must not depend on where candidates trained: the last population and every result. */
function outcome(dir: string, generations = 2) {
  const gens = JSON.parse(
    readFileSync(join(dir, 'generations', `g${String(generations).padStart(4, '0')}.json`), 'utf8'),
  ) as GenerationSnapshot;
  const records = readFileSync(join(dir, 'candidates.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CandidateRecord);
  const results = records.map((r) => `${r.id} ${r.genome} ${r.status} ${r.valAccuracy}`).sort();
  return { population: gens.population, results };
}

describe('one search over a two-node Slurm cluster (2 nodes × 2 GPUs, job steps)', { skip, timeout: 900_000 }, () => {
  let cluster: SlurmCluster;
  let work: string;
  let dataset: string;
  let reference: ReturnType<typeof outcome>;

  /** The search every test runs; `other` replaces whole sections (a search of its own needs its own local reference). */
  const config = (
    name: string,
    slurm: Record<string, unknown> = {},
    other: Partial<SearchConfigInput> = {},
  ): SearchConfigInput => ({
    name,
    dataset,
    search: { population: 4, offspring: 4, generations: 2, initChannels: 4, seed: 7 },
    training: { epochs: 1, batchSize: 32 },
    engine: { name: 'torch', device: 'cpu', python: torchPython },
    executor: { kind: 'slurm', slurm: { nodes: 2, gpusPerNode: 2, cpusPerWorker: 1, time: '00:15:00', ...slurm } },
    ...other,
  });

  /** The same search on `workers` local CPU workers, run to its end: the population to compare with. */
  const localRun = async (name: string, workers: number, other: Partial<SearchConfigInput> = {}) => {
    const local = { ...config(name, {}, other), executor: { kind: 'local', workers } } satisfies SearchConfigInput;
    writeFileSync(join(work, `${name}.json`), JSON.stringify(local));
    const child = spawn(
      process.execPath,
      [runner, 'search', '--config', join(work, `${name}.json`), '--run-dir', join(work, name)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0, stderr);
    return outcome(join(work, name), other.search?.generations ?? 2);
  };

  /** `pareto-nas search --config F` from "a login node" (no SLURM_* in the environment). */
  const submit = (name: string, slurm: Record<string, unknown> = {}, other: Partial<SearchConfigInput> = {}) => {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(config(name, slurm, other)));
    const dir = join(work, 'runs', name);
    const env = Object.fromEntries(
      Object.entries(cluster.env).filter(([k]) => !k.startsWith('SLURM_') || k === 'SLURM_CONF'),
    );
    const r = spawnSync(process.execPath, [runner, 'search', '--config', file, '--run-dir', dir], {
      env,
      encoding: 'utf8',
    });
    return {
      dir,
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      jobId: /submitted Slurm job (\d+)/.exec(r.stdout)?.[1],
    };
  };

  const detail = (dir: string) => () =>
    `${cluster.logs()}\n== runner.log\n${existsSync(join(dir, 'runner.log')) ? readFileSync(join(dir, 'runner.log'), 'utf8').slice(-3000) : ''}`;

  const step = (jobId: string, slot: number): string | undefined => {
    const q = spawnSync('squeue', ['-h', '-s', '-j', jobId, '-o', '%i %j'], { env: cluster.env, encoding: 'utf8' });
    return q.stdout
      .split('\n')
      .find((l) => l.endsWith(` pareto-nas-worker-${slot}`))
      ?.split(' ')[0];
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'pnas-slurm-steps-'));
    cluster = await startSlurm({ nodes: 2, gpusPerNode: 2 });
    dataset = writeSyntheticDataset(join(work, 'data'), { size: 12, train: 640, val: 64, seed: 5 });
    // the reference: the same search on four local CPU workers
    reference = await localRun('local', 4);
  });

  after(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("runs four workers over both nodes and ends with the local run's population", async () => {
    const run = submit('spread');
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.jobId, run.stdout);
    assert.match(run.stdout, /pareto-nas status /);
    await until('the search to finish', () => finished(run.dir) !== undefined, 400_000, detail(run.dir));
    assert.equal(finished(run.dir)?.status, 'completed', detail(run.dir)());
    const started = events(run.dir).flatMap((e) => (e.type === 'worker-started' ? [e] : []));
    const where = new Set(started.map((e) => `${e.worker.node}/${e.worker.gpu}`));
    assert.deepEqual([...where].sort(), ['n1/0', 'n1/1', 'n2/0', 'n2/1']);
    const records = readFileSync(join(run.dir, 'candidates.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as CandidateRecord);
    for (const r of records.filter((x) => x.status !== 'reused'))
      assert.match(`${r.worker?.node}/${r.worker?.gpu}`, /^n[12]\/[01]$/);
    assert.deepEqual(outcome(run.dir), reference);
    // status shows the job's state (the job ends a moment after its last event)
    const status = () =>
      spawnSync(process.execPath, [runner, 'status', run.dir], { env: cluster.env, encoding: 'utf8' }).stdout;
    assert.match(status(), new RegExp(`^slurm job ${run.jobId}: [A-Z]+\n`));
    await until(
      'status to show the job completed',
      () => status().startsWith(`slurm job ${run.jobId}: COMPLETED\n`),
      60_000,
      detail(run.dir),
    );
  });

  // The kill must land while the victim trains. A candidate of the other searches trains for about a
  // second, so it could finish between being picked and the kill; this search trains each candidate
  // for 6 epochs (two workers, one per node, a search of its own with its own local reference), so a
  // candidate that has just started has many times longer left than the kill takes (one scancel,
  // SIGKILL at once). On a loaded box the training slows down at least as much as the kill. The kill
  // goes out as soon as the events say the victim started on its worker.
  it('retrains the candidate of a killed worker step on a new step; same population', async () => {
    const long: Partial<SearchConfigInput> = {
      search: { population: 2, offspring: 2, generations: 2, initChannels: 4, seed: 7 },
      training: { epochs: 6, batchSize: 32 },
    };
    const referenceOfLong = localRun('killed-local', 2, long); // in parallel with the Slurm run
    const run = submit('killed', { gpusPerNode: 1 }, long);
    assert.equal(run.status, 0, run.stderr);
    const jobId = run.jobId!;
    let victim: { id: string; slot: number; worker: WorkerRef } | undefined;
    await until(
      'a candidate to start training on a worker step',
      () => {
        const es = events(run.dir);
        const started = es.find((e) => e.type === 'candidate-started' && e.worker);
        if (started?.type !== 'candidate-started') return false;
        const worker = started.worker!;
        const up = es.find((e) => e.type === 'worker-started' && workerKey(e.worker) === workerKey(worker));
        if (up?.type !== 'worker-started') return false;
        victim = { id: started.id, slot: up.slot, worker };
        return true;
      },
      300_000,
      detail(run.dir),
    );
    const stepId = step(jobId, victim!.slot);
    assert.ok(stepId, `a step named pareto-nas-worker-${victim!.slot}`);
    assert.equal(spawnSync('scancel', ['--signal=KILL', stepId!], { env: cluster.env }).status, 0);
    await until('the search to finish', () => finished(run.dir) !== undefined, 400_000, detail(run.dir));
    const es = events(run.dir);
    assert.equal(finished(run.dir)?.status, 'completed', detail(run.dir)());
    const lost = es.flatMap((e) => (e.type === 'worker-lost' ? [e] : []));
    const trace = JSON.stringify(
      es
        .filter((e) => e.type.startsWith('worker') || e.type.startsWith('candidate-'))
        .map(({ type, ...e }) => ({
          type,
          id: 'id' in e ? e.id : undefined,
          ...('worker' in e ? { worker: e.worker } : {}),
        })),
    );
    // the one step killed, under its candidate, which went back to the queue (not recorded as failed)
    assert.equal(lost.length, 1, trace);
    assert.deepEqual(
      [lost[0].candidate, workerKey(lost[0].worker), lost[0].requeued],
      [victim!.id, workerKey(victim!.worker), true],
      trace,
    );
    const victimRecord = readFileSync(join(run.dir, 'candidates.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as CandidateRecord)
      .find((r) => r.id === victim!.id);
    assert.equal(victimRecord?.status, 'ok', trace);
    assert.ok(
      es.filter((e) => e.type === 'worker-started').length >
        new Set(es.flatMap((e) => (e.type === 'worker-started' ? [e.slot] : []))).size,
      `a step started again: ${trace}`,
    );
    assert.deepEqual(outcome(run.dir), await referenceOfLong);
  });

  it('goes on without node n2 when it goes down (job submitted with --no-kill); same population', async () => {
    const run = submit('n2-down', { extraArgs: ['--no-kill'] });
    assert.equal(run.status, 0, run.stderr);
    await until(
      'a worker on n2 to train',
      () => events(run.dir).some((e) => e.type === 'candidate-started' && e.worker?.node === 'n2'),
      300_000,
      detail(run.dir),
    );
    const down = spawnSync('scontrol', ['update', 'nodename=n2', 'state=down', 'reason=test'], {
      env: cluster.env,
      encoding: 'utf8',
    });
    assert.equal(down.status, 0, down.stderr);
    try {
      await until('the search to finish', () => finished(run.dir) !== undefined, 400_000, detail(run.dir));
    } finally {
      spawnSync('scontrol', ['update', 'nodename=n2', 'state=resume'], { env: cluster.env });
    }
    const es = events(run.dir);
    assert.equal(finished(run.dir)?.status, 'completed', detail(run.dir)());
    assert.ok(
      es.some((e) => e.type === 'node-excluded' && e.node === 'n2'),
      JSON.stringify(es.filter((e) => e.type.startsWith('worker') || e.type === 'node-excluded')),
    );
    assert.deepEqual(outcome(run.dir), reference);
  });

  it('stops at the time-limit warning, requeues itself and resumes the same search; same population', async () => {
    // Slurm sends the warning (--signal=B:TERM@110) at slurmctld's next check, about 10 s into a
    // 2-minute job; a small search can be done by then, so the test sends that same signal to the
    // batch shell itself once the workers run (the runner tells it from a cancel by the time left)
    const run = submit('requeued', { requeue: true, time: '00:02:00', signalSeconds: 110 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      readFileSync(join(run.dir, 'search.sbatch'), 'utf8'),
      /#SBATCH --signal=B:TERM@110\n#SBATCH --requeue\n/,
    );
    await until(
      'a worker to start',
      () => events(run.dir).some((e) => e.type === 'worker-started'),
      300_000,
      detail(run.dir),
    );
    // (Slurm's own warning may come first, and may have requeued the job already: then scancel
    // finds no running batch step; the runner must survive getting both)
    const warn = spawnSync('scancel', ['--batch', '--signal=TERM', run.jobId!], { env: cluster.env, encoding: 'utf8' });
    if (warn.status !== 0)
      assert.ok(
        events(run.dir).some((e) => e.type === 'run-requeued'),
        `scancel --batch failed before any requeue: ${warn.stderr}`,
      );
    await until(
      'the job to requeue itself',
      () => events(run.dir).some((e) => e.type === 'run-requeued'),
      300_000,
      detail(run.dir),
    );
    // the next start of the job gets the whole time, so this test needs one requeue only
    const more = spawnSync('scontrol', ['update', `jobid=${run.jobId}`, 'timelimit=00:15:00'], {
      env: cluster.env,
      encoding: 'utf8',
    });
    assert.equal(more.status, 0, more.stderr);
    await until('the search to finish', () => finished(run.dir)?.status === 'completed', 400_000, detail(run.dir));
    const es = events(run.dir);
    const requeued = es.findIndex((e) => e.type === 'run-requeued');
    // (resumed: false when the warning came before the first candidate finished)
    assert.ok(
      es.slice(requeued).some((e) => e.type === 'run-started'),
      `the requeued job started again: ${es.map((e) => e.type).join(' ')}`,
    );
    assert.ok(!es.some((e) => e.type === 'run-finished' && e.status !== 'completed'), 'no cancelled or failed end');
    assert.doesNotMatch(readFileSync(join(run.dir, 'candidates.jsonl'), 'utf8'), /"status":"failed"/);
    assert.deepEqual(outcome(run.dir), reference);
  });

  // Preemption with PreemptMode=REQUEUE and an admin's `scontrol requeue` end the job the same way:
  // Slurm itself stops every step and the batch shell (TERM, then KILL after KillWait) and queues the
  // job again; the runner must not call that a cancel, and the next start resumes the run.
  it('resumes the same search when Slurm requeues the job (scontrol requeue, as preemption does); same population', async () => {
    const run = submit('slurm-requeued', { requeue: true });
    assert.equal(run.status, 0, run.stderr);
    await until(
      'a candidate to start',
      () => events(run.dir).some((e) => e.type === 'candidate-started'),
      300_000,
      detail(run.dir),
    );
    const requeue = spawnSync('scontrol', ['requeue', run.jobId!], { env: cluster.env, encoding: 'utf8' });
    assert.equal(requeue.status, 0, requeue.stderr);
    await until('the search to finish', () => finished(run.dir)?.status === 'completed', 400_000, detail(run.dir));
    const es = events(run.dir);
    const trace = es
      .map((e) => (e.type === 'run-finished' || e.type === 'run-requeued' ? JSON.stringify(e) : e.type))
      .join(' ');
    assert.ok(
      es.filter((e) => e.type === 'run-started').length >= 2,
      `the requeued job started the run again: ${trace}`,
    );
    assert.ok(
      !es.some((e) => e.type === 'run-finished' && e.status !== 'completed'),
      `no cancelled or failed end: ${trace}`,
    );
    assert.doesNotMatch(readFileSync(join(run.dir, 'candidates.jsonl'), 'utf8'), /"status":"failed"/);
    assert.deepEqual(outcome(run.dir), reference);
  });

  it('scancel of the whole job ends the run as cancelled, nothing recorded as failed', async () => {
    const run = submit('scancelled');
    assert.equal(run.status, 0, run.stderr);
    await until(
      'a candidate to start',
      () => events(run.dir).some((e) => e.type === 'candidate-started'),
      300_000,
      detail(run.dir),
    );
    assert.equal(spawnSync('scancel', [run.jobId!], { env: cluster.env }).status, 0);
    await until('the run to end', () => finished(run.dir) !== undefined, 60_000, detail(run.dir));
    const end = finished(run.dir);
    assert.equal(end?.status, 'cancelled', detail(run.dir)());
    const records = existsSync(join(run.dir, 'candidates.jsonl'))
      ? readFileSync(join(run.dir, 'candidates.jsonl'), 'utf8')
      : '';
    assert.doesNotMatch(records, /"status":"failed"/);
    const status = spawnSync(process.execPath, [runner, 'status', run.dir], { env: cluster.env, encoding: 'utf8' });
    assert.match(status.stdout, /cancelled/);
  });

  it('doctor lists the partition with its nodes and GPUs from sinfo', () => {
    const r = spawnSync(process.execPath, [runner, 'doctor'], { env: cluster.env, encoding: 'utf8' });
    assert.match(r.stdout, /partition debug \(default\): 2 nodes \w+, 2 CPUs, GPUs gpu:2/, r.stdout + r.stderr);
  });

  it('a job Slurm cannot run fails at submission in one line and leaves no run directory', () => {
    for (const [name, slurm, reason] of [
      [
        'too-many-nodes',
        { nodes: 3 },
        /(PartitionNodeLimit|PartitionConfig|configuration is not available).*asked for 3 nodes × 2 GPUs/i,
      ],
      [
        'too-many-gpus',
        { gpusPerNode: 3 },
        /(PartitionConfig|configuration is not available).*asked for 2 nodes × 3 GPUs/i,
      ],
      ['no-partition', { partition: 'nope' }, /Invalid partition name/i],
    ] as const) {
      const run = submit(name, slurm);
      assert.equal(run.status, 1, `${name}: ${run.stdout}`);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], /^pareto-nas: Slurm (refused the job|cannot run this job): /);
      assert.match(lines[0], reason);
      assert.equal(existsSync(run.dir), false, `${name}: ${run.dir} removed`);
    }
  });
});
