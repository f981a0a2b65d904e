import { fileURLToPath } from 'node:url';

/** The repository root: migrations, the data directory default and generated files are found from here. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
