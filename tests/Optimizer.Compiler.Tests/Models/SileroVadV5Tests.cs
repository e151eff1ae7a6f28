using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Silero VAD v5 and v6 (third-party, build/fetch-third-party-models.sh) compiled as shipped: an If on the
/// sample rate (an input) around an STFT-as-Conv front end, Conv layers and an LSTM cell, with
/// Size/Shape/Not/Cast arithmetic deciding the LSTM's input rank. The exporter leaves the audio's and the
/// state's batch dimensions and the chunk length blank; the compiler names them (BlankDimensions: the
/// state's batch becomes the audio's, which the LSTM needs). Both branches are compiled, each with its own
/// frame-count guard (16 kHz: 192–703 samples, 8 kHz: 96–351) checked only when that branch runs. Runs two
/// batch sizes, three chunks each (the state a chunk leaves fed to the next), against ONNX Runtime:
/// probability and state within rtol 1e-3 plus 1e-3 of the output's largest value, as for the legacy model
/// (<see cref="SileroVadTests"/>).
/// </summary>
public sealed class SileroVadV5Tests(ITestOutputHelper output)
{
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

    private static OnnxModel Load(string file) => OnnxModelLoader.Load(Path.Combine(TestNeeds.ThirdPartyModels, file));

    [ConditionalFact(Needs.ThirdPartyModels)]
    public void Blank_dimensions_are_named_with_the_states_batch_the_audios()
    {
        var program = Programs["silero_vad_v5.onnx"].Value;

        Assert.Equal(["input_dim0", "input_dim1"], program.Symbols);
        Assert.Equal(0, program.Inputs.Single(i => i.Name == "state").Dims[1].SymbolIndex);
        var refused = Assert.Throws<ArgumentException>(() => ProgramLayout.Bind(program, [[1, 512], [2, 2, 128], []]));
        output.WriteLine(refused.Message);
        Assert.Contains("'state'", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// 512 samples run at 16 kHz although the 8 kHz branch (not taken) only takes up to 351; at 8 kHz the
    /// branch that runs refuses them, and 100 samples are too short for the 16 kHz branch (ORT would run both).
    /// </summary>
    [ConditionalTheory(Needs.ThirdPartyModels)]
    [InlineData(16000, 512, true)]
    [InlineData(8000, 512, false)]
    [InlineData(16000, 100, false)]
    [InlineData(8000, 100, true)]
    public void Each_branch_checks_its_own_chunk_range_when_it_runs(long sampleRate, int samples, bool runs)
    {
        var program = Programs["silero_vad_v5.onnx"].Value;
        OnnxTensor[] inputs = [OnnxTensor.FromFloats("input", [1, samples], new float[samples]), OnnxTensor.FromFloats("state", [2, 1, 128], new float[256]),
            OnnxTensor.FromInt64s("sr", [], [sampleRate])];

        if (runs)
        {
            Assert.Equal(2, ProgramRunner.Run(program, inputs).Length);
            return;
        }

        var refused = Assert.Throws<ArgumentException>(() => ProgramRunner.Run(program, inputs));
        output.WriteLine(refused.Message);
        Assert.Contains("in the If branch this input takes", refused.Message, StringComparison.Ordinal);
    }
}
