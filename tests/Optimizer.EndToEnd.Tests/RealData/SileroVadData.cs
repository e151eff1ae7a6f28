using Microsoft.ML.OnnxRuntime;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>
/// Calibration data for ../shared/data/models/silero_vad_legacy.onnx in ONNX's test-data layout
/// (<c>test_data_set_k/input_0..3.pb</c>, one complete feed each): a synthetic but speech-like signal
/// at 16 kHz (voiced harmonic chirps with a syllable envelope, fricative-like noise bursts, quiet
/// room noise between them), cut into 512-sample chunks and run through the fp32 model in ONNX
/// Runtime chunk after chunk, so each feed carries the LSTM state <c>h</c>/<c>c</c> the model itself
/// produced for the audio before it, as a streaming app feeds it.
/// </summary>
internal static class SileroVadData
{
    public const string ModelFile = "silero_vad_legacy.onnx";
    public const int SampleRate = 16000;
    public const int ChunkSamples = 512;

    /// <summary>Writes <paramref name="chunks"/> feeds as <c>test_data_set_0</c> … under <paramref name="folder"/>; returns the speech probabilities the model gave.</summary>
    public static IReadOnlyList<float> WriteTestDataSets(string modelPath, string folder, int chunks)
    {
        var signal = SpeechLikeSignal(chunks * ChunkSamples);
        using var session = new InferenceSession(modelPath, new SessionOptions { IntraOpNumThreads = 1 });
        var names = session.InputNames; // graph order: input, sr, h, c
        var h = new float[2 * 64];
        var c = new float[2 * 64];
        var probabilities = new List<float>();
        for (var k = 0; k < chunks; k++)
        {
            var chunk = signal.AsSpan(k * ChunkSamples, ChunkSamples).ToArray();
            var set = Path.Combine(folder, $"test_data_set_{k}");
            Directory.CreateDirectory(set);
            var protos = new[]
            {
                TensorProtoWriter.Float32(names[0], chunk, 1, ChunkSamples),
                TensorProtoWriter.Int64Tensor(names[1], [SampleRate]),
                TensorProtoWriter.Float32(names[2], h, 2, 1, 64),
                TensorProtoWriter.Float32(names[3], c, 2, 1, 64),
            };
            for (var i = 0; i < protos.Length; i++)
                File.WriteAllBytes(Path.Combine(set, $"input_{i}.pb"), protos[i]);

            using var input = OrtValue.CreateTensorValueFromMemory(chunk, [1, ChunkSamples]);
            using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, []);
            using var hIn = OrtValue.CreateTensorValueFromMemory(h, [2, 1, 64]);
            using var cIn = OrtValue.CreateTensorValueFromMemory(c, [2, 1, 64]);
            using var outputs = session.Run(new RunOptions(), names, [input, sr, hIn, cIn], session.OutputNames);
            probabilities.Add(outputs[0].GetTensorDataAsSpan<float>()[0]);
            h = outputs[1].GetTensorDataAsSpan<float>().ToArray(); // carried into the next chunk's feed
            c = outputs[2].GetTensorDataAsSpan<float>().ToArray();
        }

        return probabilities;
    }

    /// <summary>Deterministic (seeded) audio in [-1, 1]: syllables of a gliding voiced tone with harmonics, noise bursts, quiet gaps.</summary>
    public static float[] SpeechLikeSignal(int samples)
    {
        var random = new Random(16000);
        var signal = new float[samples];
        var phase = 0.0;
        for (var t = 0; t < samples; t++)
        {
            var seconds = (double)t / SampleRate;
            var syllable = seconds % 0.4;                  // a 0.4 s rhythm: 0.25 s voiced, 0.05 s burst, 0.1 s quiet
            var sample = 0.003 * Gaussian(random);         // room noise everywhere
            if (syllable < 0.25)
            {
                var pitch = 110 + 90 * Math.Sin(Math.PI * syllable / 0.25) + 20 * Math.Sin(2 * Math.PI * 0.7 * seconds); // a glide per syllable
                phase += 2 * Math.PI * pitch / SampleRate;
                var envelope = Math.Sin(Math.PI * syllable / 0.25);
                var voiced = 0.0;
                for (var harmonic = 1; harmonic <= 8; harmonic++)
                    voiced += Math.Sin(harmonic * phase) / harmonic; // formant-less glottal-like spectrum
                sample += 0.25 * envelope * voiced;
            }
            else if (syllable < 0.30)
            {
                sample += 0.08 * Gaussian(random);          // a fricative-like burst
            }

            signal[t] = (float)Math.Clamp(sample, -1, 1);
        }

        return signal;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
