using Optimizer.Passes;
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

    /// <summary>
    /// The DynamicInt8 encoder as our pass writes it (int8 embedding rows, per-row activation scales,
    /// com.microsoft MatMulIntegerToFloat) compiles over both symbolic dims and matches ONNX Runtime
    /// running the same int8 model (token cosine ≥ 0.9995; most rows agree to 1e-6).
    /// </summary>
    [ConditionalTheory("data")]
    [InlineData(1, 7)]
    [InlineData(2, 16)]
    public void Dynamic_int8_encoder_compiles_and_matches_onnx_runtime_on_the_same_model(int batch, int sequence)
    {
        var model = Int8Model.Value;
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        var inputs = Inputs(batch, sequence);
        var expected = SharedModels.Floats(OrtRunner.Run(model, inputs)[0]);
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, inputs)[0]);
        // Integer products are exact, but a float difference in the last bit upstream (Erf, a
        // LayerNorm's sum) can move a value across a rounding boundary of the per-row quantizer and
        // change one int8 code, which then spreads to the sentence's later rows: each token's
        // hidden state is compared by cosine, and most rows match to float precision.
        var cosines = Enumerable.Range(0, batch * sequence).Select(row => Cosine(expected.AsSpan(row * 384, 384), actual.AsSpan(row * 384, 384))).ToArray();
        output.WriteLine($"int8, batch {batch}, sequence {sequence}: {program.Steps.Count} steps, max |diff| {expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)):G3}, "
                         + $"token cosine min {cosines.Min():F6}");
        Assert.All(cosines, c => Assert.InRange(c, 0.9995, 1.0 + 1e-6));
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            (dot, na, nb) = (dot + a[i] * (double)b[i], na + a[i] * (double)a[i], nb + b[i] * (double)b[i]);
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static readonly Lazy<OnnxModel> Int8Model = new(() => Optimizer.Passes.PassPipeline.Run(SharedModels.Load("arctic_embed_xs.onnx"),
        [new Optimizer.Passes.PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })], new PassContext()).Model);

    [ConditionalTheory("data")]
    [InlineData(1, 5)]
    [InlineData(2, 8)]
    [InlineData(3, 16)]
    [InlineData(1, 77)]
    public void Last_hidden_state_matches_onnx_runtime_on_real_sentences(int batch, int sequence)
    {
        var inputs = Inputs(batch, sequence);
        var expected = SharedModels.Floats(OrtRunner.Run(SharedModels.Load("arctic_embed_xs.onnx"), inputs)[0]);
        var actual = ProgramRunner.Floats(ProgramRunner.Run(Program.Value, inputs)[0]);
        output.WriteLine($"batch {batch}, sequence {sequence}: max |diff| {expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)):G3}");
        Assert.Null(Tolerance.Compare(expected, actual, 1e-3, 1e-4));
    }

    /// <summary>Real sentences tokenized with the encoder's vocabulary, [CLS] … [SEP], padded with a zero mask.</summary>
    private static OnnxTensor[] Inputs(int batch, int sequence)
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

        return
        [
            OnnxTensor.FromInt64s("input_ids", [batch, sequence], ids),
            OnnxTensor.FromInt64s("attention_mask", [batch, sequence], mask),
            OnnxTensor.FromInt64s("token_type_ids", [batch, sequence], new long[batch * sequence]),
        ];
    }
}
