// The pipeline's pure parts, as tables of cases: ffmpeg's progress and loudness output, the normalisation gain,
// the peak folding and what is written into files.virus_scan_result.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanResultColumn } from './scanner.ts';
import { FfmpegProgress } from './tools.ts';
import { normalisationGainDb } from './transcoder.ts';
import { PeakAccumulator, decodeWaveform, encodeWaveform, parseEbur128 } from './waveform.ts';

describe("ffmpeg's -progress output", () => {
  test('becomes increasing whole percentages of the duration, 100 only at progress=end, across split chunks', () => {
    const seen: number[] = [];
    const progress = new FfmpegProgress(10, (percent) => seen.push(percent));
    progress.push('frame=0\nout_time_us=2500000\nprogress=continue\nout_time_');
    progress.push('us=2600000\nprogress=continue\nout_time_us=N/A\nout_time_us=9999999\n');
    progress.push('out_time_us=12000000\nprogress=continue\n');
    assert.deepEqual(seen, [25, 26, 99]);
    progress.push('progress=end\n');
    assert.deepEqual(seen, [25, 26, 99, 100]);
  });

  test('an unknown duration reports only the end', () => {
    const seen: number[] = [];
    const progress = new FfmpegProgress(0, (percent) => seen.push(percent));
    progress.push('out_time_us=5000000\nprogress=end\n');
    assert.deepEqual(seen, [100]);
  });
});

describe('the EBU R128 summary', () => {
  const summary = (integrated: string, peak: string) => `[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         ${integrated} LUFS
    Threshold: -32.1 LUFS

  Loudness range:
    LRA:         6.2 LU
    Threshold: -42.0 LUFS
    LRA low:   -27.3 LUFS
    LRA high:  -21.1 LUFS

  True peak:
    Peak:       ${peak} dBFS`;

  test('is read from the end of stderr', () => {
    assert.deepEqual(parseEbur128(`t: 0.1 M: -120.7\n${summary('-22.4', '-3.5')}`), {
      integratedLufs: -22.4,
      truePeakDbtp: -3.5,
      loudnessRangeLu: 6.2,
      thresholdLufs: -32.1,
    });
  });

  test('silence and missing output measure nothing', () => {
    assert.equal(parseEbur128(summary('-70.0', '-inf')), null);
    assert.equal(parseEbur128('Conversion failed!'), null);
  });
});

describe('the loudness normalisation gain', () => {
  const cases: [string, number, number, number | null][] = [
    ['a loud master is turned down to -14 LUFS', -6, -0.5, -8],
    ['a quiet master with headroom is turned up to -14 LUFS', -20, -9, 6],
    ['a quiet master whose peaks would clip rises only to the -1 dBTP ceiling', -20, -3, 2],
  ];
  for (const [name, integrated, peak, gain] of cases) {
    test(name, () => {
      const measured = { integratedLufs: integrated, truePeakDbtp: peak, loudnessRangeLu: 5, thresholdLufs: -30 };
      assert.equal(normalisationGainDb(measured), gain);
    });
  }
  test('an unmeasured track is left as it is', () => assert.equal(normalisationGainDb(null), null));
});

describe('waveform peaks', () => {
  const feed = (samples: number[]) => {
    const accumulator = new PeakAccumulator();
    const buffer = Buffer.alloc(samples.length * 4);
    samples.forEach((sample, index) => buffer.writeFloatLE(sample, index * 4));
    // Chunks that split a sample in two, as a pipe delivers them.
    accumulator.push(buffer.subarray(0, 7));
    accumulator.push(buffer.subarray(7));
    return accumulator;
  };

  test('any length folds into exactly the asked number of min/max pairs, clamped to full scale', () => {
    const long = feed(Array.from({ length: 20_480 }, (_, index) => (index < 10_240 ? 0.5 : -2) * (index % 2 ? 1 : -1)));
    const waveform = long.finish(10);
    assert.equal(long.samples, 20_480);
    assert.deepEqual(
      [...waveform.peaks],
      [-64, 64, -64, 64, -64, 64, -64, 64, -64, 64, -127, 127, -127, 127, -127, 127, -127, 127, -127, 127],
    );
  });

  test('a file shorter than the bucket count repeats its few values rather than leaving gaps', () => {
    const waveform = feed([0.25, -0.25, 1]).finish(4);
    assert.deepEqual([...waveform.peaks], [-32, 127, -32, 127, -32, 127, -32, 127]);
  });

  test('round-trips through its base64 form at two bytes a bucket', () => {
    const waveform = feed([0.1, -0.9, 0.4]).finish(1_800);
    const encoded = encodeWaveform(waveform);
    assert.equal(Buffer.from(encoded.data, 'base64').length, 3_600);
    assert.deepEqual([...decodeWaveform(encoded).peaks], [...waveform.peaks]);
  });
});

describe('files.virus_scan_result', () => {
  test('holds the verdict, and the signature name cut to the column', () => {
    assert.equal(scanResultColumn({ verdict: 'clean' }), 'clean');
    assert.equal(scanResultColumn({ verdict: 'unscanned', reason: 'none' }), 'unscanned');
    const long = scanResultColumn({ verdict: 'infected', signature: `Win.Trojan.${'x'.repeat(80)}` });
    assert.equal(long.length, 50);
    assert.ok(long.startsWith('infected:Win.Trojan.'));
  });
});
