using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Silero VAD v5 and v6 (third-party, build/fetch-third-party-models.sh): an If on the sample rate
/// around an STFT-as-Conv front end, Conv layers and an LSTM cell, with Size/Shape/Not/Cast arithmetic
/// deciding the LSTM's input rank. The exporter leaves every input dimension blank, so the test names
/// them (batch for the audio's and the state's batch axis, samples for the chunk), and it fixes the
/// sample rate as a constant, so one program per rate: each branch only takes chunks whose encoder
/// leaves one frame (a guard), and the two ranges (16 kHz: 192–703 samples, 8 kHz: 96–351) do not
/// share 512, so the model with both branches compiled cannot serve 512 samples at 16 kHz until
/// guards can hold per branch. Runs two batch sizes, three chunks each (the state a chunk leaves fed to
/// the next), against ONNX Runtime on the model as shipped (sr an input): probability and state within
/// rtol 1e-3 plus 1e-3 of the output's largest value, as for the legacy model (<see cref="SileroVadTests"/>).
/// </summary>
public sealed class SileroVadV5Tests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?[]> DimNames = new()
    {
        ["input"] = ["batch", "samples"],
        ["state"] = [null, "batch", null],
    };

    private static readonly Dictionary<string, Lazy<KernelProgram>> Programs =
        new[] { "silero_vad_v5.onnx", "silero_vad_v6.onnx" }.ToDictionary(f => f, f => new Lazy<KernelProgram>(() => ProgramRunner.Compile(Load(f))));

    [ConditionalTheory(Needs.ThirdPartyModels)]
    [InlineData("silero_vad_v5.onnx", 16000, 1, 512)]
    [InlineData("silero_vad_v5.onnx", 16000, 2, 512)]
    [InlineData("silero_vad_v5.onnx", 8000, 1, 256)]
    [InlineData("silero_vad_v5.onnx", 8000, 2, 256)]
    [InlineData("silero_vad_v6.onnx", 16000, 1, 512)]
    [InlineData("silero_vad_v6.onnx", 16000, 2, 512)]
    [InlineData("silero_vad_v6.onnx", 8000, 1, 256)]
    [InlineData("silero_vad_v6.onnx", 8000, 2, 256)]
    public void Speech_probability_and_state_match_onnx_runtime(string file, long sampleRate, int batch, int samples)
    {
        var model = Load(file);
        var program = Programs[file].Value;
        var state = new float[2 * batch * 128];
        output.WriteLine($"{program.Steps.Count} steps, guards [{string.Join("; ", program.Guards)}]");
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var audio = Enumerable.Range(0, batch * samples).Select(i => (float)(0.3 * Math.Sin(0.0005 * (i + chunk * samples) * (i % samples)) + 0.01 * Math.Sin(i * 12.9898))).ToArray();
            var (input, stateIn) = (OnnxTensor.FromFloats("input", [batch, samples], audio), OnnxTensor.FromFloats("state", [2, batch, 128], state));
            var expected = OrtRunner.Run(model, [input, stateIn, OnnxTensor.FromInt64s("sr", [], [sampleRate])]).Select(SharedModels.Floats).ToArray();
            var actual = ProgramRunner.Run(program, [input, stateIn, OnnxTensor.FromInt64s("sr", [], [sampleRate])]).Select(ProgramRunner.Floats).ToArray();
            output.WriteLine($"sr {sampleRate}, batch {batch}, {samples} samples, chunk {chunk}: p = [{string.Join(", ", actual[0].Select(v => v.ToString("F5")))}] vs ORT [{string.Join(", ", expected[0].Select(v => v.ToString("F5")))}]");
            for (var o = 0; o < expected.Length; o++)
            {
                var largest = expected[o].Max(Math.Abs);
                Assert.Null(Tolerance.Compare(expected[o], actual[o], 1e-3, 1e-3 * largest));
            }

            state = actual[1];
        }
    }

    private static OnnxModel Load(string file) =>
        FixedShapes.Name(OnnxModelLoader.Load(Path.Combine(TestNeeds.ThirdPartyModels, file)), DimNames);
}
