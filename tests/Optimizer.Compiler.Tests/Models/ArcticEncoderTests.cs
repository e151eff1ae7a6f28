using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The BERT-family encoder (arctic_embed_xs: int64 ids, attention mask and token types; Gather
/// embeddings, Slice of the position table, Erf) compiled and run against ONNX Runtime on real
/// sentences at two sequence lengths and two batch sizes. The sequence length is bound before
/// compiling (one symbolic dim, the batch, is bound at run time today); last_hidden_state within
/// rtol 1e-3 + atol 1e-4.
/// </summary>
public sealed class ArcticEncoderTests(ITestOutputHelper output)
{
    private static readonly string[] Sentences =
    [
        "the quick brown fox jumps over the lazy dog",
        "a small model runs on the phone",
        "where is the nearest train station",
    ];

    [ConditionalTheory("data")]
    [InlineData(8)]
    [InlineData(16)]
    public void Last_hidden_state_matches_onnx_runtime_on_real_sentences(int sequence)
    {
        var original = SharedModels.Load("arctic_embed_xs.onnx");
        var model = FixedShapes.Bind(original.Clone(), new Dictionary<string, long> { ["sequence_length"] = sequence });
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine($"{program.Steps.Count} steps, kernels {string.Join(", ", program.Steps.Select(s => s.Kind).Distinct())}");
        // Every step has a schedule line: the generated class calls the kernels directly (no interpreter fallback).
        Assert.Equal(program.Steps.Count, Optimizer.Engine.Compilation.ScheduleText.Format(program).Count);
        var vocabulary = File.ReadLines(Path.Combine(SharedModels.Data, "models", "arctic_embed_xs.vocab.txt")).Select((w, i) => (w, i)).ToDictionary(p => p.w, p => (long)p.i);
        foreach (var batch in new[] { 1, 2 })
        {
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
            var expected = SharedModels.Floats(OrtRunner.Run(original, inputs)[0]);
            var actual = ProgramRunner.Floats(ProgramRunner.Run(program, inputs, batch)[0]);
            var difference = Tolerance.Compare(expected, actual, 1e-3, 1e-4);
            output.WriteLine($"sequence {sequence}, batch {batch}: max |diff| {expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)):G3}");
            Assert.Null(difference);
        }
    }
}
