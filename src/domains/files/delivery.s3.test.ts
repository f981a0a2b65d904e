// File delivery on the S3 backend, against an S3-protocol server on loopback (the same contract as the local disk).
import { after } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { deliveryContract } from './delivery.contract.test-support.ts';
import { startLoopbackS3, type LoopbackS3 } from './storage/loopback-s3.test-support.ts';
import { S3ObjectStorage, type ObjectStorage } from './storage/object-storage.ts';

let s3: LoopbackS3 | undefined;
let storage: ObjectStorage | undefined;
const testApp = useTestApp({
  env: async () => {
    s3 = await startLoopbackS3();
    storage = new S3ObjectStorage(s3.options);
    return s3.env;
  },
});
after(async () => {
  await s3?.close();
});

deliveryContract('s3', testApp, () => {
  if (!storage) throw new Error('the loopback S3 server starts with the app');
  return storage;
});
