using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Quantization.Recurrent;

/// <summary>
/// silero VAD run the way a streaming app runs it: 512-sample chunks at 16 kHz of a speech-like
/// signal, the LSTM state (h, c) each chunk returns fed into the next. Every output of every chunk
/// (speech probability, hn, cn) is kept, so a quantized model is judged on the state it carries too.
/// </summary>
internal static class SileroStream
{
    public const string ModelFile = "silero_vad_legacy.onnx";
    public const int SampleRate = 16000;
    public const int ChunkSamples = 512;

    /// <summary>Runs <paramref name="model"/> over <paramref name="signal"/> chunk by chunk; returns each output's values over all chunks.</summary>
    public static Dictionary<string, List<double>> Run(OnnxModel model, float[] signal)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        var outputs = session.OutputNames.ToDictionary(n => n, _ => new List<double>());
        var (h, c) = (new float[2 * 64], new float[2 * 64]);
        for (var start = 0; start + ChunkSamples <= signal.Length; start += ChunkSamples)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(signal[start..(start + ChunkSamples)], [1, ChunkSamples]);
            using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, []);
            using var hIn = OrtValue.CreateTensorValueFromMemory(h, [2, 1, 64]);
            using var cIn = OrtValue.CreateTensorValueFromMemory(c, [2, 1, 64]);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, ["input", "sr", "h", "c"], [input, sr, hIn, cIn], session.OutputNames);
            for (var i = 0; i < results.Count; i++)
            {
                outputs[session.OutputNames[i]].AddRange(results[i].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v));
            }

            h = results[1].GetTensorDataAsSpan<float>().ToArray();
            c = results[2].GetTensorDataAsSpan<float>().ToArray();
        }

        return outputs;
    }

    /// <summary>
    /// Deterministic speech-like audio in [-1, 1]: words of 2–4 syllables, each a voiced tone whose
    /// pitch glides between 90 and 240 Hz with harmonics shaped by two formant-like resonances that
    /// move per syllable, some led by a noise consonant; pauses of room noise between words.
    /// </summary>
    public static float[] SpeechLikeSignal(double seconds, int seed = 13)
    {
        var random = new Random(seed);
        var signal = new float[(int)(seconds * SampleRate)];
        var t = 0;
        double Noise() => random.NextDouble() * 2 - 1;
        while (t < signal.Length)
        {
            var pause = (int)(SampleRate * (0.15 + 0.35 * random.NextDouble()));
            for (var end = Math.Min(signal.Length, t + pause); t < end; t++) signal[t] = (float)(0.004 * Noise());

            var syllables = random.Next(2, 5);
            for (var s = 0; s < syllables && t < signal.Length; s++)
            {
                if (random.NextDouble() < 0.5)
                {
                    var consonant = (int)(SampleRate * 0.04);
                    for (var end = Math.Min(signal.Length, t + consonant); t < end; t++) signal[t] = (float)(0.06 * Noise());
                }

                var length = (int)(SampleRate * (0.12 + 0.15 * random.NextDouble()));
                var (pitchFrom, pitchTo) = (90 + 150 * random.NextDouble(), 90 + 150 * random.NextDouble());
                var (formant1, formant2) = (300 + 500 * random.NextDouble(), 900 + 1500 * random.NextDouble());
                var phase = 0.0;
                for (var i = 0; i < length && t < signal.Length; i++, t++)
                {
                    var progress = (double)i / length;
                    phase += 2 * Math.PI * (pitchFrom + (pitchTo - pitchFrom) * progress) / SampleRate;
                    var pitch = pitchFrom + (pitchTo - pitchFrom) * progress;
                    var voiced = 0.0;
                    for (var harmonic = 1; harmonic * pitch < 4000; harmonic++)
                    {
                        var frequency = harmonic * pitch;
                        var gain = 1 / (1 + Math.Pow((frequency - formant1) / 150, 2)) + 0.5 / (1 + Math.Pow((frequency - formant2) / 250, 2));
                        voiced += gain * Math.Sin(harmonic * phase);
                    }

                    var envelope = Math.Sin(Math.PI * progress);
                    signal[t] = (float)Math.Clamp(0.3 * envelope * voiced + 0.004 * Noise(), -1, 1);
                }
            }
        }

        return signal;
    }
}
