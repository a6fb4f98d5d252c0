/*
|--------------------------------------------------------------------------
| JavaScript entrypoint for running ace commands
|--------------------------------------------------------------------------
|
| TypeScript is loaded with ts-node-maintained (SWC under the hood), so
| `node ace <command>` works without a build step.
*/
import 'ts-node-maintained/register/esm'

await import('./bin/console.js')
