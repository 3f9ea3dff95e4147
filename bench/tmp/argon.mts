import { hash, verify } from '@node-rs/argon2';
const P = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const h = await hash('Welcome2026', P);
for (const variant of ['string', 'buffer', 'string']) {
  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const s = performance.now();
    const p = variant === 'buffer' ? verify(Buffer.from(h), Buffer.from('Welcome2026')) : verify(h, 'Welcome2026');
    times.push(performance.now() - s); await p;
  }
  times.sort((a, b) => a - b);
  console.log(variant, 'median sync ms', times[20]!.toFixed(3), 'max', times[39]!.toFixed(3));
}
const { execPath } = process; console.log(execPath);
