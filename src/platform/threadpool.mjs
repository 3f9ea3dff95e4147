import { availableParallelism } from 'node:os';

/**
 * Password hashing (argon2id, 19 MiB each) runs on libuv's thread pool, four threads by
 * default whatever the machine: on two cores that is two hashes' memory for no throughput,
 * on sixteen it leaves twelve cores idle. So one thread per core, unless the operator set
 * UV_THREADPOOL_SIZE. Preloaded by the npm scripts (`--import`), because the pool starts
 * before the entry point's own imports run; plain JavaScript, because Node's TypeScript
 * stripper would cost the process about 50 MB.
 *
 * The `start` script also sets MALLOC_MMAP_THRESHOLD_ (glibc reads it before any code
 * runs, so it cannot be set here): each hash's 19 MiB is then mapped and unmapped, not
 * kept in the threads' malloc arenas after the hash, about 15 MB less peak memory under
 * logins at the same throughput (docs/benchmarks.md).
 */
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
