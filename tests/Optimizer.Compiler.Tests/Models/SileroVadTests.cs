using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The legacy silero VAD (its layers inside an If on the sample rate, LSTMs in nested Ifs, batch and
/// sequence symbolic) compiled once and run at both sample rates, several chunk lengths and two batch
/// sizes against ONNX Runtime: the speech probability and both LSTM states within rtol 1e-3 plus 1e-3
/// of the output's largest value.
/// The audio is a deterministic chirp with noise; the state a chunk leaves is fed to the next.
/// </summary>
public sealed class SileroVadTests(ITestOutputHelper output)
{
    private static readonly Lazy<KernelProgram> Program = new(() => ProgramRunner.Compile(SharedModels.Load("silero_vad_legacy.onnx")));

    [ConditionalTheory("data")]
    [InlineData(16000, 1, 512)]
    [InlineData(16000, 2, 1024)]
    [InlineData(8000, 1, 256)]
    [InlineData(8000, 2, 768)]
    public void Speech_probability_and_states_match_onnx_runtime(long sampleRate, int batch, int samples)
    {
        var model = SharedModels.Load("silero_vad_legacy.onnx");
        var (h, c) = (new float[2 * batch * 64], new float[2 * batch * 64]);
        output.WriteLine($"{Program.Value.Steps.Count} steps, guards [{string.Join("; ", Program.Value.Guards)}]");
        for (var chunk = 0; chunk < 2; chunk++)
        {
            var audio = Enumerable.Range(0, batch * samples).Select(i => (float)(0.3 * Math.Sin(0.0005 * (i + chunk * samples) * (i % samples)) + 0.01 * Math.Sin(i * 12.9898) )).ToArray();
            OnnxTensor[] inputs =
            [
                OnnxTensor.FromFloats("input", [batch, samples], audio),
                OnnxTensor.FromInt64s("sr", [], [sampleRate]),
                OnnxTensor.FromFloats("h", [2, batch, 64], h),
                OnnxTensor.FromFloats("c", [2, batch, 64], c),
            ];
            var expected = OrtRunner.Run(model, inputs).Select(SharedModels.Floats).ToArray();
            var actual = ProgramRunner.Run(Program.Value, inputs).Select(ProgramRunner.Floats).ToArray();
            output.WriteLine($"sr {sampleRate}, batch {batch}, {samples} samples, chunk {chunk}: p = [{string.Join(", ", actual[0].Select(v => v.ToString("F5")))}] vs ORT [{string.Join(", ", expected[0].Select(v => v.ToString("F5")))}]");
            for (var o = 0; o < expected.Length; o++)
            {
                var worst = expected[o].Zip(actual[o], (e, a) => Math.Abs(e - a)).Max();
                var largest = expected[o].Max(Math.Abs);
                output.WriteLine($"  output {o}: max |diff| {worst:G3}, largest |value| {largest:G3}");
                // The states pass through four LSTM steps of a log-magnitude spectrum: values near zero
                // differ in the last bits, so the tolerance is relative to the output's scale.
                Assert.Null(Tolerance.Compare(expected[o], actual[o], 1e-3, 1e-3 * largest));
            }

            (h, c) = (actual[1], actual[2]);
        }
    }
}
