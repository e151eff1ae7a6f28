using Optimizer.Compiler.Tests.Support;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Compiled LSTM and GRU layers against ONNX Runtime's on the same model and inputs: batch and
/// sequence length are symbolic, each program runs at two (batch, seq) pairs, and every output
/// (Y, Y_h, Y_c) must match within rtol 1e-4 (+ atol 1e-6 for values near zero).
/// </summary>
public sealed class RecurrentLayerTests
{
    private const double RelativeTolerance = 1e-4;
    private const double AbsoluteTolerance = 1e-6;

    private static readonly (int Batch, int Seq)[] Shapes = [(1, 64), (3, 17)];

    /// <summary>Silero VAD's shape of layer: hidden 64 over a 64-wide input, state in and out, both directions.</summary>
    [Fact]
    public void Bidirectional_lstm_with_hidden_64_matches_onnx_runtime_at_two_shapes() =>
        AssertMatchesOnnxRuntime(new RecurrentLayerSpec("LSTM", "bidirectional", Input: 64, Hidden: 64));

    public static TheoryData<RecurrentLayerSpec> Variants =>
    [
        new RecurrentLayerSpec("LSTM", "reverse", Input: 12, Hidden: 20, Peepholes: true),
        new RecurrentLayerSpec("LSTM", "forward", Input: 5, Hidden: 9, Clip: 0.75f, States: false),
        new RecurrentLayerSpec("GRU", "bidirectional", Input: 16, Hidden: 20),
        new RecurrentLayerSpec("GRU", "bidirectional", Input: 16, Hidden: 20, LinearBeforeReset: 1),
        new RecurrentLayerSpec("GRU", "reverse", Input: 7, Hidden: 33, Clip: 0.5f, LinearBeforeReset: 1, States: false),
    ];

    /// <summary>Directions, peepholes, clip, both GRU resets, absent states, hidden sizes that are not a multiple of the vector width.</summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Layer_variants_match_onnx_runtime_at_two_shapes(RecurrentLayerSpec spec) => AssertMatchesOnnxRuntime(spec);

    [Fact]
    public void The_layer_compiles_to_one_projection_gemm_and_one_recurrent_step_per_direction()
    {
        var result = KernelCompiler.Compile(RecurrentModels.Build(new RecurrentLayerSpec("LSTM", "bidirectional", Input: 64, Hidden: 64)));
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;

        Assert.Equal([StepKind.Gemm, StepKind.Lstm, StepKind.Lstm], program.Steps.Select(s => s.Kind));
        Assert.Equal(["seq", "batch"], program.Symbols);
        // The manifest's schedule (what the generator turns into direct calls) covers every step, so no interpreter fallback.
        var schedule = Engine.Compilation.ScheduleText.Format(program);
        Assert.Equal(program.Steps.Count, schedule.Count);
        Assert.StartsWith("Lstm:fffffffff ", schedule[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_gru_schedule_line_carries_every_operand_and_argument()
    {
        using var program = KernelCompiler.Compile(RecurrentModels.Build(new RecurrentLayerSpec("GRU", "forward", Input: 8, Hidden: 16, LinearBeforeReset: 1))).Program!;

        var line = Assert.Single(Engine.Compilation.ScheduleText.Format(program), l => l.StartsWith("Gru:", StringComparison.Ordinal));

        Assert.StartsWith("Gru:ffffffff ", line, StringComparison.Ordinal);
        Assert.Equal(10, line.Split('|')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Padded_sequences_are_refused_with_the_reason()
    {
        var model = RecurrentModels.Build(new RecurrentLayerSpec("GRU", "forward", Input: 4, Hidden: 8));
        model.Graph.Initializers.Add(Onnx.OnnxTensor.FromInt32s("lens", [3], [5, 5, 2]));
        model.Graph.Nodes[0].Inputs[4] = "lens";

        var result = KernelCompiler.Compile(model);

        Assert.False(result.IsSupported);
        Assert.Contains(result.Unsupported, u => u.Reason.Contains("sequence_lens", StringComparison.Ordinal));
    }

    private static void AssertMatchesOnnxRuntime(RecurrentLayerSpec spec)
    {
        var model = RecurrentModels.Build(spec);
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        using var executor = new KernelExecutor(program);
        foreach (var (batch, seq) in Shapes)
        {
            var inputs = RecurrentModels.Inputs(spec, batch, seq);
            var expected = SharedModels.RunOrt(model, inputs);
            var shapes = inputs.Select(i => i.Shape.Select(d => (int)d).ToArray()).ToArray();
            var symbols = ProgramLayout.Bind(program, shapes);
            var actual = program.Outputs.Select(o => new float[o.ElementCount(symbols)]).ToArray();

            executor.Run(shapes, inputs.Select(i => (Array)i.Values).ToArray(), actual);

            for (var o = 0; o < actual.Length; o++)
            {
                var difference = Tolerance.Compare(expected[o], actual[o], RelativeTolerance, AbsoluteTolerance);
                Assert.True(difference is null, $"{spec} at batch {batch}, seq {seq}, output {program.Outputs[o].Name}: {difference}");
            }
        }
    }
}
