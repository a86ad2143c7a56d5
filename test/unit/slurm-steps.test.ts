// The Slurm scale-out pieces that need no cluster: the batch script a config asks for, where the
// worker steps go and how srun starts them, how a TERM is read (cancel or time-limit warning), and
// the step executor's handling of lost workers with stand-in engines (the real steps:
// test/integration/slurm-steps.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutorSettings, gpusPerNode, parseConfig, type EngineSettings } from '../../common/config';
import { TrainingError, WorkerExitError, type TrainJob, type TrainResult } from '../../runner/src/engines/engine';
import type { WorkerEvent } from '../../runner/src/exec/executor';
import { planStepSlots, srunWorkerArgs } from '../../runner/src/exec/slurm-allocation';
import { SlurmStepExecutor, type StepEngine } from '../../runner/src/exec/slurm-steps';
import type { WorkerRef } from '../../common/protocol';
import { classifyStop, parseRestarts, parseTimeLeft } from '../../runner/src/search/slurm-stop';
import { batchScript, workerLayout } from '../../runner/src/server/sbatch-script';
import { parseSinfo } from '../../runner/src/server/sinfo';

describe('slurm config and batch script', () => {
  it('accepts the old gpusPerTask as gpusPerNode', () => {
    const c = parseConfig({ dataset: 'd', executor: { kind: 'slurm', slurm: { gpusPerTask: 2 } } });
    assert.equal(gpusPerNode(c.executor.slurm), 2);
    assert.equal(gpusPerNode(parseConfig({ dataset: 'd' }).executor.slurm), 1);
  });

  it('asks for every node, one task slot per worker, the GPUs, the warning signal and requeue', () => {
    const slurm = {
      nodes: 4,
      gpusPerNode: 4,
      cpusPerWorker: 8,
      time: '24:00:00',
      partition: 'gpu',
      requeue: true,
      signalSeconds: 300,
    };
    const script = batchScript({
      kind: 'search',
      runDir: '/r',
      logFile: '/r/runner.log',
      argv: ['node', 'runner.js', 'search'],
      resumeArgv: ['node', 'runner.js', 'resume', '/r'],
      startedMarker: '/r/config.json',
      slurm,
    });
    for (const line of [
      '--nodes=4',
      '--ntasks-per-node=4',
      '--cpus-per-task=8',
      '--gres=gpu:4',
      '--signal=B:TERM@300',
      '--requeue',
      '--partition=gpu',
    ]) {
      assert.ok(script.includes(`#SBATCH ${line}\n`), `${line} in\n${script}`);
    }
    assert.match(
      script,
      /if \[ -f \/r\/config\.json \]; then\n {2}exec node runner\.js resume \/r\nfi\nexec node runner\.js search\n$/,
    );
    const cpu = batchScript({
      kind: 'refine',
      runDir: '/r',
      logFile: '/r/l',
      argv: ['x'],
      slurm: { gpusPerNode: 0, workersPerNode: 3, signalSeconds: 0 },
    });
    assert.doesNotMatch(cpu, /--gres|--signal|resume/);
    assert.match(cpu, /--ntasks-per-node=3\n/);
    assert.match(cpu, /--no-requeue\n/);
  });

  it('reads partitions and their GPUs from sinfo', () => {
    assert.deepEqual(parseSinfo('gpu*|4|idle|64|gpu:a100:4|1-00:00:00\ncpu|10|mix|32|(null)|infinite\n'), [
      {
        name: 'gpu',
        default: true,
        nodes: 4,
        state: 'idle',
        cpusPerNode: '64',
        gres: 'gpu:a100:4',
        timeLimit: '1-00:00:00',
      },
      { name: 'cpu', default: false, nodes: 10, state: 'mix', cpusPerNode: '32', gres: '', timeLimit: 'infinite' },
    ]);
  });

  it('spreads worker steps over nodes and pins each to its node with one GPU', () => {
    const slots = planStepSlots(['n1', 'n2'], 2);
    assert.deepEqual(
      slots.map((s) => `${s.node}:${s.local}`),
      ['n1:0', 'n2:0', 'n1:1', 'n2:1'],
    );
    assert.deepEqual(planStepSlots(['n1', 'n2'], 2, 3).length, 3);
    const args = srunWorkerArgs(slots[1], workerLayout({ nodes: 2, gpusPerNode: 2, cpusPerWorker: 4 }), '77');
    for (const a of [
      'srun',
      '--jobid=77',
      '--nodes=1',
      '--ntasks=1',
      '--exclusive',
      '--nodelist=n2',
      '--cpus-per-task=4',
      '--gpus=1',
    ])
      assert.ok(args.includes(a), a);
    assert.ok(!srunWorkerArgs(slots[0], workerLayout({ gpusPerNode: 0 }), '77').some((a) => a.startsWith('--gpus')));
  });

  it('reads a TERM as the time-limit warning only with requeue, little time left and the job running', () => {
    assert.equal(parseTimeLeft('1:05'), 65);
    assert.equal(parseTimeLeft('1-02:00:00'), 93600);
    assert.equal(parseTimeLeft('UNLIMITED'), Infinity);
    assert.equal(classifyStop('RUNNING', 100, 120, true).requeue, true);
    assert.equal(classifyStop('RUNNING', 100, 120, false).requeue, false);
    assert.equal(classifyStop('RUNNING', 3000, 120, true).requeue, false, 'scancel --signal=TERM mid-job');
    assert.equal(classifyStop('CANCELLED', 100, 120, true).requeue, false, 'scancel');
    assert.deepEqual(classifyStop('PREEMPTED', 3000, 120, true), { requeue: true, bySlurm: true, reason: 'preempted' });
  });

  it('reads a TERM while Slurm requeues the job (its restart count went up) as a requeue, not a cancel', () => {
    const line =
      'JobId=12 JobName=pareto-nas-search JobState=COMPLETING Reason=None Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 Reboot=0';
    assert.equal(parseRestarts(line), 1);
    assert.equal(parseRestarts('JobId=12 JobState=RUNNING'), undefined);
    assert.deepEqual(classifyStop('COMPLETING', 3000, 120, true, true), {
      requeue: true,
      bySlurm: true,
      reason: 'requeued by Slurm (preemption or scontrol requeue)',
    });
    assert.equal(classifyStop('COMPLETING', 3000, 120, true, false).requeue, false, 'scancel: the restart count stays');
  });
});

/** A stand-in worker step: trains instantly, or dies under the job when `dies` says so. */
function fakeStep(node: string, gpu: string, dies: (job: TrainJob) => boolean): StepEngine {
  let up = false;
  return {
    name: 'torch',
    where: (): WorkerRef | undefined => (up ? { node, gpu } : undefined),
    async info() {
      up = true;
      return { name: 'torch', description: 'fake', gpus: [gpu] };
    },
    async train(job: TrainJob): Promise<TrainResult> {
      await new Promise((r) => setImmediate(r));
      if (dies(job)) {
        up = false;
        throw new WorkerExitError('engine-error', `step on ${node} died`);
      }
      return { epochs: [], valAccuracy: 50, params: 1, device: `fake ${node}` };
    },
    async close() {},
  };
}

describe('SlurmStepExecutor with stand-in steps', () => {
  const engine = { name: 'torch', python: 'python3', device: 'cpu', tfjsBackend: 'auto' } as EngineSettings;
  const executor = ExecutorSettings.parse({ kind: 'slurm', slurm: { nodes: 2, gpusPerNode: 2, maxNodeFailures: 2 } });
  const jobs = Array.from(
    { length: 8 },
    (_, i) => ({ id: `g1-${i}`, spec: {}, dataset: '/d', training: {} }) as unknown as TrainJob,
  );

  it('retrains the candidates of a lost node elsewhere, excludes the node, reports each job once', async () => {
    const ex = new SlurmStepExecutor({
      engine,
      executor,
      nodes: ['n1', 'n2'],
      jobId: '1',
      createEngine: async (slot) => fakeStep(slot.node, String(slot.local), () => slot.node === 'n2'),
    });
    const results = new Map<string, { outcome: TrainResult | TrainingError; worker?: WorkerRef }>();
    const events: WorkerEvent[] = [];
    await ex.evaluate(jobs, {
      onResult: (id, outcome, worker) => {
        assert.ok(!results.has(id), `${id} reported once`);
        results.set(id, { outcome, worker });
      },
      onWorker: (e) => events.push(e),
    });
    assert.equal(results.size, jobs.length);
    for (const { outcome, worker } of results.values()) {
      assert.ok(!(outcome instanceof TrainingError), 'every candidate trained');
      assert.equal(worker?.node, 'n1');
    }
    // both n2 steps die at once; one may take a second job before the node is excluded
    const lost = events.filter((e) => e.type === 'worker-lost');
    assert.ok(lost.length >= 2 && lost.every((e) => e.worker.node === 'n2' && e.requeued), JSON.stringify(lost));
    assert.deepEqual(
      events.filter((e) => e.type === 'node-excluded'),
      [{ type: 'node-excluded', node: 'n2', failures: 2 }],
    );
    assert.match(ex.describe(), /excluded: n2/);
  });

  it('records a candidate as failed when it killed its worker three times', async () => {
    const ex = new SlurmStepExecutor({
      engine,
      executor: { ...executor, slurm: { ...executor.slurm, maxNodeFailures: 10 } },
      nodes: ['n1', 'n2'],
      jobId: '1',
      createEngine: async (slot) => fakeStep(slot.node, String(slot.local), (job) => job.id === 'g1-3'),
    });
    const failed: string[] = [];
    let lost = 0;
    await ex.evaluate(jobs, {
      onResult: (id, outcome) => void (outcome instanceof TrainingError && failed.push(id)),
      onWorker: (e) => void (e.type === 'worker-lost' && lost++),
    });
    assert.deepEqual(failed, ['g1-3']);
    assert.equal(lost, 3);
  });

  it('fails the batch when every node is excluded, instead of leaving candidates without a result', async () => {
    const ex = new SlurmStepExecutor({
      engine,
      executor,
      nodes: ['n1'],
      jobId: '1',
      createEngine: async (slot) => fakeStep(slot.node, '0', () => true),
    });
    await assert.rejects(ex.evaluate(jobs, { onResult: () => undefined }), /every node of job 1 was excluded/);
  });
});
