// File delivery on the local disk backend (the contract: delivery.contract.test-support.ts).
import { useTestApp } from '../../../test/helpers/app.ts';
import { deliveryContract } from './delivery.contract.test-support.ts';
import { testDataDir } from './files.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir, VEZA_STORAGE: 'local' }) });

deliveryContract('local', testApp, () => storage);
