// What the pipeline has done to a file, read from its row: the owner API shows it, delivery's policy
// (files.policy.ts) decides with it. Kept in files.metadata.processing so no column had to be added (ADR 0040).

export type StepName = 'scan' | 'metadata' | 'renditions' | 'waveform';
export type StepStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed';
export type ScanVerdict = 'pending' | 'clean' | 'infected' | 'unscanned';

/** The JSON kept under files.metadata.processing. */
export interface ProcessingRecord {
  status: 'pending' | 'processing' | 'processed' | 'failed' | 'quarantined';
  steps: Record<StepName, StepStatus>;
  attempts: number;
  /** Why a step was skipped (no ffmpeg, not audio), for the owner and the operator. */
  notes?: string[];
}

export interface ProcessingState extends ProcessingRecord {
  scan: ScanVerdict;
  /** The infected file's signature name, when quarantined. */
  signature: string | null;
  /** The readable sentence stored in files.processing_error. */
  error: string | null;
}

export interface FileProcessingColumns {
  metadata: unknown;
  virus_scan_result: string | null;
  processing_error: string | null;
  is_processed: boolean;
}

export const initialSteps = (): Record<StepName, StepStatus> => ({
  scan: 'pending',
  metadata: 'pending',
  renditions: 'pending',
  waveform: 'pending',
});

export function scanVerdict(virusScanResult: string | null): ScanVerdict {
  if (virusScanResult === 'clean') return 'clean';
  if (virusScanResult === 'unscanned') return 'unscanned';
  if (virusScanResult?.startsWith('infected')) return 'infected';
  return 'pending';
}

export function readProcessingRecord(metadata: unknown): ProcessingRecord {
  const record =
    typeof metadata === 'object' && metadata !== null ? (metadata as { processing?: unknown }).processing : undefined;
  if (typeof record === 'object' && record !== null && 'steps' in record) return record as ProcessingRecord;
  return { status: 'pending', steps: initialSteps(), attempts: 0 };
}

export function processingState(file: FileProcessingColumns): ProcessingState {
  const record = readProcessingRecord(file.metadata);
  const scan = scanVerdict(file.virus_scan_result);
  return {
    ...record,
    scan,
    signature: scan === 'infected' ? (file.virus_scan_result?.slice('infected:'.length) ?? null) : null,
    error: file.processing_error,
  };
}
