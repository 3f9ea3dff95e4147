import { availableParallelism } from 'node:os';

/**
 * Password hashing (argon2id, 19 MiB each) runs on libuv's thread pool, four threads by
 * default whatever the machine: on two cores that is two hashes' memory for no throughput,
 * on sixteen it leaves twelve cores idle. So one thread per core, unless the operator set
 * UV_THREADPOOL_SIZE. Preloaded by the npm scripts (`--import`), because the pool starts
 * before the entry point's own imports run; plain JavaScript, because Node's TypeScript
 * stripper would cost the process about 50 MB.
 */
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
