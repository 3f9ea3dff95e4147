/**
 * The process the crash test kills: it pays a test fee at the provider, then asks the
 * provider how it went with the fault point `payment.settle:before-record` armed, so it dies
 * (SIGKILL) after the provider has the money and before ELAR has recorded it. It prints the
 * payment id first, for the test to look for afterwards.
 */
import { armFaults } from '../../../src/platform/faults.ts';
import { openScene } from './crash-scene.ts';

const scene = await openScene({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.CRASH_DATA_DIR! });
const fee = scene.payable(process.env.CRASH_PAYABLE!);
const started = await scene.service.start(fee);
if (started.outcome !== 'checkout') throw new Error('expected a checkout');
await scene.pay(started.url.split('/').pop()!);
console.log(`payment ${started.payment.id}`);
armFaults(['payment.settle:before-record']);
await scene.service.settleFromProvider(started.payment.id);
console.log('not killed');
