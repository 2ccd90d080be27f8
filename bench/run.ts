// `npm run bench`: every benchmark of the project, one after the other.
// BENCH_SUBSCRIBERS=1,100,2000 (default) sets the fan-out subscriber counts.
import { runFanout } from './fanout.js';

const counts = process.env.BENCH_SUBSCRIBERS?.split(',').map((count) => Number(count.trim()));
await runFanout(counts);
