using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The BERT-family encoder (arctic_embed_xs: int64 ids, attention mask and token types; Gather
/// embeddings, the position table sliced to the sequence length, Erf) compiled once with both of its
/// symbolic dimensions (batch_size, sequence_length) and run against ONNX Runtime on real sentences at
/// several sequence lengths and batch sizes, padded rows included: last_hidden_state within rtol 1e-3
/// + atol 1e-4.
/// </summary>
public sealed class ArcticEncoderTests(ITestOutputHelper output)
{
    private static readonly string[] Sentences =
    [
        "the quick brown fox jumps over the lazy dog",
        "a small model runs on the phone",
        "where is the nearest train station",
    ];

    private static readonly Lazy<KernelProgram> Program = new(() =>
    {
        var result = KernelCompiler.Compile(SharedModels.Load("arctic_embed_xs.onnx"));
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        return result.Program!;
    });

    [ConditionalFact("data")]
    public void One_program_takes_any_batch_and_sequence_length()
    {
        var program = Program.Value;
        Assert.Equal(["batch_size", "sequence_length"], program.Symbols);
        // Every step has a schedule line: the generated class calls the kernels directly (no interpreter fallback).
        Assert.Equal(program.Steps.Count, Optimizer.Engine.Compilation.ScheduleText.Format(program).Count);
        output.WriteLine($"{program.Steps.Count} steps, guards [{string.Join("; ", program.Guards)}], kernels {string.Join(", ", program.Steps.Select(s => s.Kind).Distinct())}");
    }

    [ConditionalTheory("data")]
    [InlineData(1, 5)]
    [InlineData(2, 8)]
    [InlineData(3, 16)]
    [InlineData(1, 77)]
    public void Last_hidden_state_matches_onnx_runtime_on_real_sentences(int batch, int sequence)
    {
        var vocabulary = File.ReadLines(Path.Combine(SharedModels.Data, "models", "arctic_embed_xs.vocab.txt")).Select((w, i) => (w, i)).ToDictionary(p => p.w, p => (long)p.i);
        var ids = new long[batch * sequence];
        var mask = new long[batch * sequence];
        for (var b = 0; b < batch; b++)
        {
            var tokens = new[] { vocabulary["[CLS]"] }.Concat(Sentences[b].Split(' ').Select(w => vocabulary.GetValueOrDefault(w, vocabulary["[UNK]"])))
                .Take(sequence - 1).Append(vocabulary["[SEP]"]).ToArray();
            tokens.CopyTo(ids, b * sequence);
            Array.Fill(mask, 1L, b * sequence, tokens.Length);
        }

        OnnxTensor[] inputs =
        [
            OnnxTensor.FromInt64s("input_ids", [batch, sequence], ids),
            OnnxTensor.FromInt64s("attention_mask", [batch, sequence], mask),
            OnnxTensor.FromInt64s("token_type_ids", [batch, sequence], new long[batch * sequence]),
        ];
        var expected = SharedModels.Floats(OrtRunner.Run(SharedModels.Load("arctic_embed_xs.onnx"), inputs)[0]);
        var actual = ProgramRunner.Floats(ProgramRunner.Run(Program.Value, inputs)[0]);
        output.WriteLine($"batch {batch}, sequence {sequence}: max |diff| {expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)):G3}");
        Assert.Null(Tolerance.Compare(expected, actual, 1e-3, 1e-4));
    }
}
