import t from 'tap';
import { encodeFrame, FrameReader, FrameTooLargeError } from '../frame';

t.test('frames survive any chunking', async (t) => {
  const payloads = [
    Buffer.from('a'),
    Buffer.alloc(0),
    Buffer.from('hello world'),
    Buffer.alloc(300, 7),
  ];
  const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
  for (let split = 1; split <= stream.length; split++) {
    const reader = new FrameReader(1024);
    const got: string[] = [];
    for (let off = 0; off < stream.length; off += split) {
      const err = reader.push(stream.subarray(off, off + split), (f) =>
        got.push(f.toString('hex')),
      );
      t.equal(err, undefined);
    }
    t.same(
      got,
      payloads.map((p) => p.toString('hex')),
      `chunk size ${split}`,
    );
    t.equal(reader.bufferedBytes, 0);
  }
});

t.test('an oversized length is refused before it is buffered', async (t) => {
  const reader = new FrameReader(16);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(1_000_000, 0);
  const err = reader.push(header, () => t.fail('no frame expected'));
  t.ok(err instanceof FrameTooLargeError);
  t.equal(err?.code, 'E_FRAME_TOO_LARGE');
  t.equal(reader.bufferedBytes, 0);
});
