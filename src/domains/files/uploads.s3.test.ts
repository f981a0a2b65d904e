// The S3 backend passes the same upload tests as the local disk, against an S3-protocol server on loopback.
import { after } from 'node:test';
import { startLoopbackS3, type LoopbackS3 } from './storage/loopback-s3.test-support.ts';
import { uploadContract, useUploadApp } from './uploads.contract.test-support.ts';

let s3: LoopbackS3 | undefined;
const suite = useUploadApp(async () => {
  s3 = await startLoopbackS3();
  return s3.env;
});
after(async () => {
  await s3?.close();
});

uploadContract('s3', suite);
