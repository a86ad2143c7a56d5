// The params of each `pareto-nas serve` method as zod schemas, one per protocol params type. Each is
// checked against its interface in common/protocol.ts at compile time (`paramsOf`), so the validation
// and the contract the client is typed with cannot drift apart.
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc/node';
import { z } from 'zod';
import type {
  CandidateGetParams,
  DatasetCheckParams,
  DatasetListParams,
  ModelExportParams,
  ParetoGetParams,
  RefineStartParams,
  RunAttachParams,
  RunRefParams,
  RunsListParams,
  SearchStartParams,
  VersionParams,
} from '../../../common/protocol';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Returns the schema unchanged; a compile error when its parsed type is not exactly P. */
function paramsOf<P>() {
  return <S extends z.ZodType>(
    schema: S,
    ..._exact: Same<z.output<S>, P> extends true ? [] : ['schema differs from the protocol type']
  ) => schema;
}

export const VersionParamsSchema = paramsOf<VersionParams>()(
  z.object({ protocol: z.number().int(), client: z.string().optional() }),
);

export const RunsListParamsSchema = paramsOf<RunsListParams>()(z.object({ root: z.string().min(1).optional() }));

export const SearchStartParamsSchema = paramsOf<SearchStartParams>()(
  z.object({ config: z.unknown(), runDir: z.string().min(1).optional() }),
);

const runRef = z.object({ run: z.string().min(1) });

export const RunRefParamsSchema = paramsOf<RunRefParams>()(runRef);

export const RunAttachParamsSchema = paramsOf<RunAttachParams>()(runRef.extend({ fromSeq: z.number().int().min(0) }));

export const RefineStartParamsSchema = paramsOf<RefineStartParams>()(
  runRef
    .extend({
      ids: z.array(z.string().min(1)).min(1).optional(),
      cutoff: z.number().positive().optional(),
      epochs: z.number().int().min(1),
    })
    .refine((v) => v.ids !== undefined || v.cutoff !== undefined, { message: 'give ids or cutoff' }),
);

export const CandidateGetParamsSchema = paramsOf<CandidateGetParams>()(runRef.extend({ id: z.string().min(1) }));

export const ParetoGetParamsSchema = paramsOf<ParetoGetParams>()(
  runRef.extend({ maxMflops: z.number().positive().optional() }),
);

export const ModelExportParamsSchema = paramsOf<ModelExportParams>()(
  runRef.extend({ id: z.string().min(1), format: z.enum(['onnx', 'torchscript']), bench: z.boolean().optional() }),
);

export const DatasetCheckParamsSchema = paramsOf<DatasetCheckParams>()(z.object({ path: z.string().min(1) }));

export const DatasetListParamsSchema = paramsOf<DatasetListParams>()(z.object({ dir: z.string().min(1) }));

/** Parses a request's params, or throws InvalidParams naming the method and each bad field. */
export function parseParams<P>(method: string, schema: z.ZodType<P>, params: unknown): P {
  const r = schema.safeParse(params ?? {});
  if (r.success) return r.data;
  const detail = r.error.issues
    .map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`)
    .join('; ');
  throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${detail}`);
}
